import "server-only";
import { displayOutcome, type AuditRecord, type ChangeEffect, type EffectFigures } from "@/lib/audit";

// CSV of audit records: RFC 4180 quoting, CRLF rows, and cells a spreadsheet would run as a
// formula (= + - @, tab, CR at the start) prefixed with a quote, so a reason such as
// "=HYPERLINK(…)" stays text when someone opens the export. A capacity change carries its
// effect ("did it help?"): the verdict, the summary the pool page shows, and the figures over
// the windows before and after; other rows leave those cells empty.

/** A row of the export: the record and, for a desired-capacity change, its effect. */
export type CsvRecord = AuditRecord & { effect?: ChangeEffect };
type Cell = string | number | boolean | null | undefined;

const figure =
  (side: "before" | "after", key: keyof Omit<EffectFigures, "from" | "to">) =>
  (r: CsvRecord): Cell =>
    r.effect?.[side]?.[key];

const COLUMNS: [string, (r: CsvRecord, now: Date) => Cell][] = [
  ["id", (r) => r.id],
  ["time_utc", (r) => r.time],
  ["actor", (r) => r.actor],
  ["role", (r) => r.role],
  ["action", (r) => r.action],
  ["region", (r) => r.region],
  ["pool", (r) => r.pool],
  ["group", (r) => r.group],
  ["from", (r) => r.from],
  ["expected", (r) => r.expected],
  ["to", (r) => r.to],
  ["min_from", (r) => r.minFrom],
  ["min_to", (r) => r.minTo],
  ["max_from", (r) => r.maxFrom],
  ["max_to", (r) => r.maxTo],
  ["reason", (r) => r.reason],
  ["override", (r) => r.override],
  ["outcome", (r, now) => displayOutcome(r, now)],
  ["error_code", (r) => r.errorCode],
  ["error_message", (r) => r.errorMessage],
  ["request_id", (r) => r.requestId],
  ["idempotency_key", (r) => r.idempotencyKey],
  ["completed_at_utc", (r) => r.completedAt],
  ["note", (r) => r.note],
  ["effect_verdict", (r) => r.effect?.verdict],
  ["effect_summary", (r) => r.effect?.summary],
  ["p90_before_ms", figure("before", "pageLoadP90Ms")],
  ["p90_after_ms", figure("after", "pageLoadP90Ms")],
  ["cpu_before_percent", figure("before", "cpuPercent")],
  ["cpu_after_percent", figure("after", "cpuPercent")],
  ["backlog_before", figure("before", "backlog")],
  ["backlog_after", figure("after", "backlog")],
];

export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "string") return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(records: CsvRecord[], now: Date = new Date()): string {
  const lines = [COLUMNS.map(([name]) => name).join(",")];
  for (const r of records) lines.push(COLUMNS.map(([, get]) => csvCell(get(r, now))).join(","));
  return lines.join("\r\n") + "\r\n";
}
