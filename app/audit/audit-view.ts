import type { AuditRecord, OutcomeLabel } from "@/lib/audit";
import type { AuditFilters } from "@/lib/services/read-audit";

// Pure helpers for the /audit page: links that keep the filters, and how a row reads.

type LinkFilters = Partial<Pick<AuditFilters, "region" | "pool" | "actor" | "outcome" | "limit" | "cursor">>;

/** Query string of the filters (empty ones dropped), optionally patched (e.g. `{ cursor }`). */
export function filterQuery(
  filters: LinkFilters,
  patch: LinkFilters = {},
  drop: (keyof LinkFilters)[] = [],
): string {
  const merged: LinkFilters = { ...filters, ...patch };
  const qs = new URLSearchParams();
  for (const key of ["region", "pool", "actor", "outcome", "limit", "cursor"] as const) {
    const v = merged[key];
    if (drop.includes(key) || v === undefined || v === "") continue;
    if (key === "limit" && v === 50) continue;
    qs.set(key, String(v));
  }
  const s = qs.toString();
  return s ? `?${s}` : "";
}

export const OUTCOME_STYLES: Record<OutcomeLabel, string> = {
  succeeded: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/50 dark:text-emerald-300",
  "succeeded (reconciled)":
    "bg-emerald-100 text-emerald-800 ring-1 ring-emerald-400 dark:bg-emerald-900/50 dark:text-emerald-300",
  pending: "bg-sky-100 text-sky-800 dark:bg-sky-900/50 dark:text-sky-300",
  failed: "bg-red-100 text-red-800 dark:bg-red-900/50 dark:text-red-300",
  rejected: "bg-amber-100 text-amber-900 dark:bg-amber-900/50 dark:text-amber-300",
  denied: "bg-orange-100 text-orange-900 dark:bg-orange-900/50 dark:text-orange-300",
  "outcome unknown":
    "bg-violet-100 text-violet-900 ring-1 ring-violet-400 dark:bg-violet-900/50 dark:text-violet-200",
};

/** "2026-11-29 03:12:05 UTC" */
export function utcTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const s = d.toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 19)} UTC`;
}

/** "12 → 16 (+4)", with the expected value when it differed and min/max for admin changes. */
export function changeText(r: AuditRecord): string {
  const parts: string[] = [];
  if (r.to !== null) {
    const from = r.from ?? r.expected;
    if (from === null) parts.push(`desired → ${r.to}`);
    else {
      const d = r.to - from;
      parts.push(`${from} → ${r.to}${d === 0 ? "" : ` (${d > 0 ? "+" : ""}${d})`}`);
    }
  }
  if (r.expected !== null && r.from !== null && r.expected !== r.from) parts.push(`expected ${r.expected}`);
  if (r.action === "bounds") {
    if (r.minTo !== null)
      parts.push(
        r.minFrom !== null && r.minFrom !== r.minTo ? `min ${r.minFrom} → ${r.minTo}` : `min ${r.minTo}`,
      );
    if (r.maxTo !== null)
      parts.push(
        r.maxFrom !== null && r.maxFrom !== r.maxTo ? `max ${r.maxFrom} → ${r.maxTo}` : `max ${r.maxTo}`,
      );
  }
  if (r.action === "faults") parts.push(`simulated fault: ${r.reason ?? "?"}`);
  if (r.override) parts.push("guardrail overridden");
  return parts.join(", ") || "—";
}
