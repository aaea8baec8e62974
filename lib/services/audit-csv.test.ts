import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("@/lib/backends", () => ({
  getBackend: () => {
    throw new Error("tests pass a backend explicitly");
  },
}));

import type { ChangeEffect, NewAuditRecord } from "@/lib/audit";
import type { SqliteAuditStore } from "@/lib/audit/sqlite-store";
import { toCsv } from "./audit-csv";
import { exportAuditCsv } from "./read-audit";
import { auditRecord, fleetBackend, tempStore, viewer } from "@/test/support/services/fixtures";

// "Did it help?" travels with the export: each capacity change row carries its verdict, the
// summary the pool page shows, and the p90 / CPU / backlog before and after.

const T0 = Date.parse("2026-11-29T10:00:00.000Z");
const now = () => new Date(T0 + 3_600_000);
let store: SqliteAuditStore;
let cleanup: () => void;
let n = 0;

beforeEach(() => {
  ({ store, cleanup } = tempStore());
});
afterEach(() => cleanup());

async function change(extra: Partial<NewAuditRecord> = {}) {
  const { record } = await store.recordIntent(
    auditRecord({ idempotencyKey: `key-${n}-abcdef`, ...extra }, T0 + n++ * 1000),
  );
  return (await store.recordOutcome(record.id, {
    outcome: "succeeded",
    completedAt: record.time,
    requestId: `req-${n}`,
  }))!;
}

const window = (
  from: string,
  to: string,
  pageLoadP90Ms: number | null,
  cpuPercent: number | null,
  backlog: number | null = null,
) => ({ from, to, pageLoadP90Ms, cpuPercent, backlog });

/** RFC 4180 back to rows of cells: quoted cells may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ",") {
      row.push(cell);
      cell = "";
    } else if (!quoted && c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else {
      cell += c;
    }
  }
  return rows;
}

/** Each data row as { column: cell }. */
function table(csv: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(csv);
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ""])));
}

describe("the audit CSV's effect columns", () => {
  it("a judged change carries its verdict, summary and the figures before and after; other rows leave them empty", async () => {
    const helped = await change({ from: 12, to: 16, expected: 12 });
    const waiting = await change({ from: 16, to: 18, expected: 16 });
    const { record: refused } = await store.recordIntent(
      auditRecord({ idempotencyKey: "refused-abcdef", from: 18, to: 99, expected: 18 }, T0 + 10_000),
    );
    await store.recordOutcome(refused.id, {
      outcome: "rejected",
      completedAt: refused.time,
      errorCode: "ValidationError",
      errorMessage: "above max",
    });
    const effect: ChangeEffect = {
      changeId: helped.id,
      evaluatedAt: new Date(T0 + 1_200_000).toISOString(),
      verdict: "helped",
      before: window("2026-11-29T09:50:00.000Z", "2026-11-29T10:00:00.000Z", 1840, 92.4),
      after: window("2026-11-29T10:10:00.000Z", "2026-11-29T10:20:00.000Z", 640, 68.1),
      summary: "p90 1.8 s → 640 ms, CPU 92 % → 68 %: helped",
    };
    await store.recordEffect(effect);

    const { csv } = await exportAuditCsv(viewer, { limit: 50 }, { store, backend: fleetBackend(), now });
    const rows = table(csv);
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(helped.id)).toMatchObject({
      effect_verdict: "helped",
      effect_summary: "p90 1.8 s → 640 ms, CPU 92 % → 68 %: helped",
      p90_before_ms: "1840",
      p90_after_ms: "640",
      cpu_before_percent: "92.4",
      cpu_after_percent: "68.1",
      backlog_before: "",
      backlog_after: "",
    });
    // Not judged yet: pending, as the audit page says, with no figures.
    expect(byId.get(waiting.id)).toMatchObject({
      effect_verdict: "pending",
      effect_summary: expect.stringMatching(/^pending: /),
      p90_before_ms: "",
      cpu_after_percent: "",
    });
    // A refused change changed nothing: nothing to judge.
    expect(byId.get(refused.id)).toMatchObject({
      outcome: "rejected",
      effect_verdict: "",
      effect_summary: "",
      p90_before_ms: "",
    });
    // The summary's comma is quoted, not a column break.
    expect(csv).toContain(`,helped,"p90 1.8 s → 640 ms, CPU 92 % → 68 %: helped",1840,640,92.4,68.1,,\r\n`);
  });

  it("escapes the summary like every other cell: quotes doubled, line breaks kept, formulas defused", () => {
    const base = {
      ...auditRecord({}, T0),
      id: "x",
      seq: 1,
      outcome: "succeeded" as const,
      errorCode: null,
      errorMessage: null,
      requestId: "r",
      completedAt: null,
      reconciled: false,
      note: null,
      revertOf: null,
      revertAt: null,
      batchId: null,
    };
    const effect = (summary: string): ChangeEffect => ({
      changeId: "x",
      evaluatedAt: new Date(T0).toISOString(),
      verdict: "no change",
      before: null,
      after: null,
      summary,
    });
    const hostile = ['said "faster", then\r\nwasn\'t', '=HYPERLINK("http://evil")', "-2 % CPU", "@SUM(A1)"];
    const csv = toCsv(hostile.map((summary, i) => ({ ...base, id: `x${i}`, effect: effect(summary) })));
    expect(table(csv).map((r) => r.effect_summary)).toEqual([
      'said "faster", then\r\nwasn\'t',
      '\'=HYPERLINK("http://evil")',
      "'-2 % CPU",
      "'@SUM(A1)",
    ]);
    expect(csv).toContain(`,"said ""faster"", then\r\nwasn't",`);
    expect(table(csv).every((r) => r.effect_verdict === "no change")).toBe(true);
  });
});
