import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

const h = vi.hoisted(() => ({ identity: null as unknown, backend: null as unknown }));
vi.mock("@/lib/auth/current", () => ({ currentIdentity: async () => h.identity }));
vi.mock("@/lib/backends", () => ({ getBackend: () => h.backend }));

import { setAuditStoreForTests } from "@/lib/audit";
import type { SqliteAuditStore } from "@/lib/audit/sqlite-store";
import { setConfigForTests } from "@/lib/config";
import {
  auditRecord,
  fleetBackend,
  shippedConfig,
  tempStore,
  viewer,
} from "@/test/support/services/fixtures";
import { GET as exportCsv } from "./export/route";
import { GET } from "./route";

let store: SqliteAuditStore;
let cleanup: () => void;

beforeAll(() => setConfigForTests(shippedConfig()));
afterAll(() => setConfigForTests(undefined));
beforeEach(async () => {
  h.backend = fleetBackend();
  h.identity = viewer;
  ({ store, cleanup } = tempStore());
  setAuditStoreForTests(store);
  for (let i = 0; i < 3; i++) {
    const reason = i === 2 ? '@risk, "quoted"' : "stale page";
    const attempt = {
      expected: 11,
      to: 13 + i,
      reason,
      idempotencyKey: `k-${i}-abcdefgh`,
      requestHash: null,
    };
    await store.recordAttempt({
      ...auditRecord(attempt, Date.now() - (3 - i) * 1000),
      outcome: "rejected",
      errorCode: "Conflict",
      errorMessage: "Desired capacity is now 12, not 11",
    });
  }
});
afterEach(() => {
  setAuditStoreForTests(undefined);
  cleanup();
});

describe("GET /api/audit", () => {
  it("answers records newest first and a next cursor", async () => {
    const res = await GET(new Request("http://localhost/api/audit?limit=2&pool=app"));
    expect(res.status).toBe(200);
    const json = await res.json();
    expect(json.records.map((r: { to: number }) => r.to)).toEqual([15, 14]);
    const next = await (
      await GET(new Request(`http://localhost/api/audit?limit=2&pool=app&cursor=${json.nextCursor}`))
    ).json();
    expect(next.records.map((r: { to: number }) => r.to)).toEqual([13]);
    expect(next.nextCursor).toBeNull();
  });

  it("bad parameters are a 400 with field errors", async () => {
    const res = await GET(new Request("http://localhost/api/audit?limit=9999&outcome=maybe"));
    expect(res.status).toBe(400);
    expect((await res.json()).fields).toEqual({
      outcome: "expected one of pending, succeeded, failed, rejected, denied, unknown",
      limit: "must be at most 500",
    });
  });

  it("signed out is 401", async () => {
    h.identity = null;
    expect((await GET(new Request("http://localhost/api/audit"))).status).toBe(401);
  });
});

describe("GET /api/audit/export", () => {
  it("downloads the filtered view as CSV", async () => {
    const res = await exportCsv(new Request("http://localhost/api/audit/export?region=us-east-1"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(
      /^attachment; filename="capstan-audit-\d{8}T\d{6}Z\.csv"$/,
    );
    const lines = (await res.text()).split("\r\n");
    expect(lines).toHaveLength(5);
    expect(lines[1]).toContain(`"'@risk, ""quoted"""`);
  });

  it("errors are JSON like the rest of the API", async () => {
    h.identity = null;
    const res = await exportCsv(new Request("http://localhost/api/audit/export"));
    expect(res.status).toBe(401);
    expect((await res.json()).kind).toBe("unauthenticated");
  });
});
