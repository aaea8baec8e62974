import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

const h = vi.hoisted(() => ({ identity: null as unknown, backend: null as unknown }));
vi.mock("@/lib/auth/current", () => ({ currentIdentity: async () => h.identity }));
vi.mock("@/lib/backends", () => ({ getBackend: () => h.backend }));

import { setAuditStoreForTests } from "@/lib/audit";
import type { SqliteAuditStore } from "@/lib/audit/sqlite-store";
import { setConfigForTests } from "@/lib/config";
import type { FakeBackend } from "@/test/support/services/fake-backend";
import { fleetBackend, operator, shippedConfig, tempStore, viewer } from "@/test/support/services/fixtures";
import { POST } from "./route";

const URL_ = "http://localhost:3000/api/pools/us-east-1/app/capacity";
const ctx = () => ({ params: Promise.resolve({ region: "us-east-1", pool: "app" }) });
let backend: FakeBackend;
let store: SqliteAuditStore;
let cleanup: () => void;

beforeAll(() => {
  vi.stubEnv("CAPSTAN_PUBLIC_ORIGIN", "");
  setConfigForTests(shippedConfig());
});
afterAll(() => {
  setConfigForTests(undefined);
  vi.unstubAllEnvs();
});
beforeEach(() => {
  backend = fleetBackend();
  h.backend = backend;
  h.identity = operator;
  ({ store, cleanup } = tempStore());
  setAuditStoreForTests(store);
});
afterEach(() => {
  setAuditStoreForTests(undefined);
  cleanup();
});

let k = 0;
function post(
  headers: Record<string, string>,
  body: unknown = {
    desired: 16,
    expectedDesired: 12,
    reason: "page load climbing",
    idempotencyKey: `route-key-${++k}`,
  },
) {
  return POST(
    new Request(URL_, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
    ctx(),
  );
}

describe("POST /api/pools/{region}/{pool}/capacity", () => {
  it.each([
    ["no Origin header", {}],
    ['Origin "null"', { origin: "null" }],
    ["a foreign Origin", { origin: "https://evil.example" }],
    ["another port", { origin: "http://localhost:4000" }],
  ])("%s is refused with 403 and never reaches the backend", async (_name, headers) => {
    const res = await post(headers);
    expect(res.status).toBe(403);
    const json = await res.json();
    expect(json.kind).toBe("forbidden");
    expect(json.error).toMatch(/Cross-site request refused/);
    expect(backend.reads).toBe(0);
    expect(backend.writes).toHaveLength(0);
    expect((await store.query({})).records).toHaveLength(0);
  });

  it("a same-origin operator request changes desired: 200 with the record and the pool", async () => {
    const res = await post({ origin: "http://localhost:3000" });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const json = await res.json();
    expect(json.record).toMatchObject({ outcome: "succeeded", from: 12, to: 16, actor: "olga" });
    expect(json.pool).toMatchObject({ desired: 16, pending: 4 });
    expect(backend.writes).toHaveLength(1);
  });

  it("invalid JSON is a 400 with a readable error", async () => {
    const res = await post({ origin: "http://localhost:3000" }, "{desired: 16");
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: "Request body is not valid JSON.",
      kind: "validation",
      fields: { _: "expected a JSON object" },
    });
    expect(backend.writes).toHaveLength(0);
  });

  it("a viewer gets 403 (audited as denied) even with a broken body", async () => {
    h.identity = viewer;
    const res = await post({ origin: "http://localhost:3000" }, "not json");
    expect(res.status).toBe(403);
    expect((await store.query({})).records.map((r) => [r.outcome, r.actor])).toEqual([["denied", "vera"]]);
    expect(backend.writes).toHaveLength(0);
  });

  it("signed out is 401", async () => {
    h.identity = null;
    expect((await post({ origin: "http://localhost:3000" })).status).toBe(401);
  });

  it("the rules answer with their status and body: 400 fields, 409 current, 422", async () => {
    const origin = { origin: "http://localhost:3000" };
    const bounds = await post(origin, {
      desired: 60,
      expectedDesired: 12,
      reason: "too many",
      idempotencyKey: "route-bounds-1",
    });
    expect(bounds.status).toBe(400);
    expect((await bounds.json()).fields).toEqual({ desired: "must be at most the maximum (max 48)" });

    const stale = await post(origin, {
      desired: 16,
      expectedDesired: 10,
      reason: "stale page",
      idempotencyKey: "route-stale-1",
    });
    expect(stale.status).toBe(409);
    expect((await stale.json()).current).toEqual({ desired: 12, min: 4, max: 48, inService: 12 });

    const body = {
      desired: 14,
      expectedDesired: 12,
      reason: "double click",
      idempotencyKey: "route-double-1",
    };
    const [a, b] = [await post(origin, body), await post(origin, body)];
    expect([a.status, b.status]).toEqual([200, 200]);
    expect((await a.json()).record.id).toBe((await b.json()).record.id);
    const other = await post(origin, { ...body, desired: 15 });
    expect(other.status).toBe(422);
    expect(backend.writes).toHaveLength(1);
  });
});
