import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

const h = vi.hoisted(() => ({ identity: null as unknown, backend: null as unknown }));
vi.mock("@/lib/auth/current", () => ({ currentIdentity: async () => h.identity }));
vi.mock("@/lib/backends", () => ({ getBackend: () => h.backend }));

import { setAuditStoreForTests } from "@/lib/audit";
import type { SqliteAuditStore } from "@/lib/audit/sqlite-store";
import { setConfigForTests } from "@/lib/config";
import { fleetBackend, operator, shippedConfig, tempStore, viewer } from "@/test/support/services/fixtures";
import { POST as postCapacity } from "../capacity/route";
import { DELETE, POST } from "./route";

// POST extends a pool's pending revert, DELETE cancels it: Origin first, then the identity, then
// the body; both answer the revert as it now is and the audit row that says so.

const BASE = "http://localhost:3000/api/pools/us-east-1/app";
const ctx = () => ({ params: Promise.resolve({ region: "us-east-1", pool: "app" }) });
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
  h.backend = fleetBackend();
  h.identity = operator;
  ({ store, cleanup } = tempStore());
  setAuditStoreForTests(store);
});
afterEach(() => {
  setAuditStoreForTests(undefined);
  cleanup();
});

const json = { "content-type": "application/json", origin: "http://localhost:3000" };
const send = (method: "POST" | "DELETE", headers: Record<string, string> = json, body?: string) =>
  (method === "POST" ? POST : DELETE)(new Request(`${BASE}/revert`, { method, headers, body }), ctx());

async function timeBoxedBump() {
  const res = await postCapacity(
    new Request(`${BASE}/capacity`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({
        desired: 16,
        expectedDesired: 12,
        reason: "page load climbing",
        idempotencyKey: "route-revert-1",
        revertAfterMinutes: 120,
      }),
    }),
    ctx(),
  );
  expect(res.status).toBe(200);
  return (await res.json()) as { record: { id: string; revertAt: string } };
}

describe("/api/pools/{region}/{pool}/revert", () => {
  it("the capacity answer carries revertAt; POST extends it and says so in the audit log", async () => {
    const bump = await timeBoxedBump();
    expect(Date.parse(bump.record.revertAt) - Date.now()).toBeGreaterThan(119 * 60_000);
    const res = await send("POST", json, JSON.stringify({ revertAfterMinutes: 300 }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.revert).toMatchObject({ to: 12, from: 16, by: "olga", changeId: bump.record.id });
    expect(Date.parse(body.revert.at) - Date.now()).toBeGreaterThan(299 * 60_000);
    expect(body.record).toMatchObject({
      action: "revert",
      actor: "olga",
      revertOf: bump.record.id,
      revertAt: body.revert.at,
    });
  });

  it("DELETE cancels: the revert is gone and a second DELETE is 404", async () => {
    await timeBoxedBump();
    const res = await send("DELETE", { origin: "http://localhost:3000" });
    expect(res.status).toBe(200);
    expect((await res.json()).revert).toBeNull();
    expect(await store.pendingRevert("us-east-1", "app")).toBeNull();
    expect((await send("DELETE", { origin: "http://localhost:3000" })).status).toBe(404);
  });

  it("refuses a foreign Origin, a viewer, and a malformed body, changing nothing", async () => {
    await timeBoxedBump();
    expect((await send("DELETE", { origin: "https://evil.example" })).status).toBe(403);
    h.identity = viewer;
    expect((await send("DELETE", { origin: "http://localhost:3000" })).status).toBe(403);
    const denied = (await store.query({ actor: "vera" })).records;
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({
      action: "revert",
      outcome: "denied",
      errorCode: "Forbidden",
      region: "us-east-1",
      pool: "app",
    });
    expect((await send("POST", json, "{not json")).status).toBe(403); // who first, then the body
    h.identity = null;
    expect((await send("POST", json, "{not json")).status).toBe(401);
    h.identity = operator;
    const bad = await send("POST", json, JSON.stringify({ revertAfterMinutes: 20_000, extra: 1 }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).fields).toHaveProperty("revertAfterMinutes");
    expect(await store.pendingRevert("us-east-1", "app")).toMatchObject({ to: 12 });
  });
});
