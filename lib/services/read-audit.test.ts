import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("@/lib/backends", () => ({
  getBackend: () => {
    throw new Error("tests pass a backend explicitly");
  },
}));

import type { NewAuditRecord } from "@/lib/audit";
import { SqliteAuditStore } from "@/lib/audit/sqlite-store";
import type { Identity } from "@/lib/auth/roles";
import { csvCell, toCsv } from "./audit-csv";
import { ForbiddenError, UnauthenticatedError, ValidationError } from "@/lib/errors";
import { exportAuditCsv, parseAuditFilters, readAudit } from "./read-audit";
import { FakeBackend } from "@/test/support/services/fake-backend";
import { auditRecord, fleetBackend, operator, tempStore, viewer } from "@/test/support/services/fixtures";

const T0 = Date.parse("2026-11-29T10:00:00.000Z");
const now = () => new Date(T0 + 3_600_000);
let store: SqliteAuditStore;
let cleanup: () => void;
let backend: FakeBackend;

beforeEach(() => {
  ({ store, cleanup } = tempStore());
  backend = fleetBackend();
});
afterEach(() => cleanup());

let n = 0;
function rec(extra: Partial<NewAuditRecord> = {}): NewAuditRecord {
  const time = T0 + n++ * 1000;
  return auditRecord({ idempotencyKey: `key-${n}-abcdef`, ...extra }, time);
}

async function succeeded(extra: Partial<NewAuditRecord> = {}) {
  const { record } = await store.recordIntent(rec(extra));
  return (await store.recordOutcome(record.id, {
    outcome: "succeeded",
    completedAt: record.time,
    requestId: `req-${n}`,
  }))!;
}

describe("parseAuditFilters", () => {
  it("reads the query string; empty values mean no filter; limit defaults to 50", () => {
    expect(
      parseAuditFilters(
        new URLSearchParams("region=us-east-1&pool=app&actor=olga&outcome=failed&limit=20&cursor=42"),
      ),
    ).toEqual({
      region: "us-east-1",
      pool: "app",
      actor: "olga",
      outcome: "failed",
      limit: 20,
      cursor: "42",
    });
    expect(parseAuditFilters(new URLSearchParams("region=&pool=&outcome="))).toEqual({ limit: 50 });
    expect(parseAuditFilters({ region: ["us-west-2", "x"], pool: undefined })).toEqual({
      region: "us-west-2",
      limit: 50,
    });
  });

  it.each([
    ["region=mars", "region"],
    ["outcome=maybe", "outcome"],
    ["limit=0", "limit"],
    ["limit=501", "limit"],
    ["limit=ten", "limit"],
    ["cursor=abc", "cursor"],
    ["cursor=1%20OR%201%3D1", "cursor"],
  ])("%s is a 400 naming %s", (qs, field) => {
    try {
      parseAuditFilters(new URLSearchParams(qs));
      throw new Error("expected a ValidationError");
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect(Object.keys((err as ValidationError).fields)).toEqual([field]);
    }
  });
});

describe("readAudit", () => {
  it("needs a signed-in identity with a role", async () => {
    await expect(readAudit(null, { limit: 50 }, { store, backend })).rejects.toBeInstanceOf(
      UnauthenticatedError,
    );
    const nobody: Identity = { name: "nina", role: null, source: "alb" };
    await expect(readAudit(nobody, { limit: 50 }, { store, backend })).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("viewers read every attempt, newest first, with a next cursor until the end", async () => {
    for (let i = 0; i < 5; i++) await succeeded({ to: 20 + i });
    const first = await readAudit(viewer, { limit: 2 }, { store, backend, now });
    expect(first.records.map((r) => r.to)).toEqual([24, 23]);
    const second = await readAudit(viewer, { limit: 2, cursor: first.nextCursor! }, { store, backend, now });
    expect(second.records.map((r) => r.to)).toEqual([22, 21]);
    const last = await readAudit(viewer, { limit: 2, cursor: second.nextCursor! }, { store, backend, now });
    expect(last.records.map((r) => r.to)).toEqual([20]);
    expect(last.nextCursor).toBeNull();
    expect(first.records[0]!.label).toBe("succeeded");
  });

  it("filters by region, pool, actor and outcome", async () => {
    await succeeded({ to: 1 });
    await succeeded({ to: 2, region: "us-west-2", group: "tave-dr-app" });
    await succeeded({ to: 3, pool: "proxy", group: "tave-prod-proxy" });
    await succeeded({ to: 4, actor: "adam", role: "admin" });
    await store.recordAttempt({
      ...rec({ to: 5 }),
      outcome: "rejected",
      errorCode: "Conflict",
      errorMessage: "m",
    });
    const to = async (f: Partial<Parameters<typeof readAudit>[1]>) =>
      (await readAudit(viewer, { limit: 50, ...f }, { store, backend, now })).records.map((r) => r.to);
    expect(await to({ region: "us-west-2" })).toEqual([2]);
    expect(await to({ pool: "proxy" })).toEqual([3]);
    expect(await to({ actor: "adam" })).toEqual([4]);
    expect(await to({ outcome: "rejected" })).toEqual([5]);
    expect(await to({ region: "us-east-1", pool: "app", actor: "olga", outcome: "succeeded" })).toEqual([1]);
  });

  it("a scoped identity sees only its pools, and may not ask for others", async () => {
    await succeeded({ to: 1 });
    await succeeded({ to: 2, pool: "worker-email", group: "tave-prod-worker-email" });
    const scoped: Identity = { name: "wes", role: "viewer", source: "alb", scope: { pools: ["worker-*"] } };
    expect(
      (await readAudit(scoped, { limit: 50 }, { store, backend, now })).records.map((r) => r.to),
    ).toEqual([2]);
    await expect(
      readAudit(scoped, { limit: 50, pool: "app" }, { store, backend, now }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("an overdue intent reads as outcome unknown and matches the unknown filter; it is reconciled on read", async () => {
    const { record } = await store.recordIntent(rec({ to: 16 }));
    backend.readError = new Error("region down");
    const view = await readAudit(viewer, { limit: 50, outcome: "unknown" }, { store, backend, now });
    expect(view.records.map((r) => [r.id, r.outcome, r.label])).toEqual([
      [record.id, "unknown", "outcome unknown"],
    ]);
    expect(view.records[0]!.note).toContain("No outcome was recorded");

    backend.readError = undefined;
    backend.setDesired("us-east-1", "tave-prod-app", 16);
    const settled = await readAudit(viewer, { limit: 50 }, { store, backend, now });
    expect(settled.records[0]).toMatchObject({
      id: record.id,
      outcome: "succeeded",
      label: "succeeded (reconciled)",
    });
  });

  it("a failing audit store is a 503, not a crash", async () => {
    store.close();
    await expect(readAudit(viewer, { limit: 50 }, { store, backend: null, now })).rejects.toMatchObject({
      status: 503,
    });
  });
});

describe("CSV export", () => {
  it("quotes per RFC 4180 and defuses spreadsheet formulas", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell('say "hi", then go')).toBe('"say ""hi"", then go"');
    expect(csvCell("line one\nline two")).toBe('"line one\nline two"');
    expect(csvCell('=HYPERLINK("http://evil")')).toBe('"\'=HYPERLINK(""http://evil"")"');
    expect(csvCell("+1 more")).toBe("'+1 more");
    expect(csvCell("-2 fewer")).toBe("'-2 fewer");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("\tcmd")).toBe("'\tcmd");
    expect(csvCell(12)).toBe("12");
    expect(csvCell(null)).toBe("");
    expect(csvCell(true)).toBe("true");
  });

  it("the export has a header, one CRLF line per record, and every page of the filtered view", async () => {
    for (let i = 0; i < 3; i++) await succeeded({ to: 30 + i });
    await succeeded({ to: 99, region: "us-west-2", group: "tave-dr-app" });
    await succeeded({ to: 40, reason: '=cmd|" /C calc"!A0, really' });
    const { filename, csv } = await exportAuditCsv(
      viewer,
      { limit: 1, cursor: undefined, region: "us-east-1" },
      { store, backend, now },
    );
    expect(filename).toBe("capstan-audit-20261129T110000Z.csv");
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe(
      "id,time_utc,actor,role,action,region,pool,group,from,expected,to,min_from,min_to,max_from,max_to,reason,override,outcome,error_code,error_message,request_id,idempotency_key,completed_at_utc,note,effect_verdict,effect_summary,p90_before_ms,p90_after_ms,cpu_before_percent,cpu_after_percent,backlog_before,backlog_after",
    );
    expect(lines).toHaveLength(1 + 4 + 1); // header, four us-east-1 rows, trailing empty
    expect(lines[1]).toContain(`"'=cmd|"" /C calc""!A0, really"`);
    expect(lines[1]).toContain(",succeeded,");
    expect(csv).not.toContain("us-west-2");
  });

  it("toCsv labels outcomes as the page does", () => {
    const csv = toCsv([
      {
        ...rec(),
        id: "x",
        seq: 1,
        outcome: "unknown",
        errorCode: null,
        errorMessage: null,
        requestId: null,
        completedAt: null,
        reconciled: false,
        note: "n",
        revertOf: null,
        revertAt: null,
        batchId: null,
      },
    ]);
    expect(csv.split("\r\n")[1]).toContain(",outcome unknown,");
  });

  it("the export is authorized like the log", async () => {
    await expect(exportAuditCsv(null, { limit: 50 }, { store, backend })).rejects.toBeInstanceOf(
      UnauthenticatedError,
    );
    await expect(exportAuditCsv(operator, { limit: 50 }, { store, backend, now })).resolves.toMatchObject({
      filename: expect.stringMatching(/\.csv$/),
    });
  });
});
