import "server-only";
import { displayOutcome, type AuditRecord } from "@/lib/audit";

// CSV of audit records: RFC 4180 quoting, CRLF rows, and cells a spreadsheet would run as a
// formula (= + - @, tab, CR at the start) prefixed with a quote, so a reason such as
// "=HYPERLINK(…)" stays text when someone opens the export.

const COLUMNS: [string, (r: AuditRecord, now: Date) => string | number | boolean | null][] = [
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
];

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "string") return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(records: AuditRecord[], now: Date = new Date()): string {
  const lines = [COLUMNS.map(([name]) => name).join(",")];
  for (const r of records) lines.push(COLUMNS.map(([, get]) => csvCell(get(r, now))).join(","));
  return lines.join("\r\n") + "\r\n";
}
