import type { PoolStatus, RegionStatus, Verdict } from "@/lib/fleet/views";

const STYLES: Record<string, string> = {
  healthy: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/50 dark:text-emerald-300",
  ready: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/50 dark:text-emerald-300",
  ok: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/50 dark:text-emerald-300",
  scaling: "bg-sky-100 text-sky-800 dark:bg-sky-900/50 dark:text-sky-300",
  scale: "bg-sky-100 text-sky-800 dark:bg-sky-900/50 dark:text-sky-300",
  degraded: "bg-amber-100 text-amber-900 dark:bg-amber-900/50 dark:text-amber-300",
  stale: "bg-amber-100 text-amber-900 dark:bg-amber-900/50 dark:text-amber-300",
  unknown: "bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300",
  missing: "bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300",
  error: "bg-red-100 text-red-800 dark:bg-red-900/50 dark:text-red-300",
  cannot: "bg-red-100 text-red-800 dark:bg-red-900/50 dark:text-red-300",
};

const LABELS: Record<string, string> = {
  scale: "scale up first",
  cannot: "cannot take over",
  missing: "no group",
  ok: "reachable",
};

export function StatusBadge({
  status,
  title,
}: {
  status: PoolStatus | RegionStatus | Verdict;
  title?: string;
}) {
  return (
    <span
      title={title}
      data-status={status}
      className={`inline-block whitespace-nowrap rounded px-1.5 py-0.5 text-xs font-medium ${STYLES[status] ?? STYLES.unknown}`}
    >
      {LABELS[status] ?? status}
    </span>
  );
}
