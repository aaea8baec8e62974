"use client";

import { useState } from "react";
import { api } from "@/lib/client/api";
import type { RevertView } from "@/lib/fleet/views";
import { InlineAlert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { useNow } from "@/components/ui/use-now";

/** "in 1 h 12 min", "in 45 s", "due now". */
export function untilText(at: string, now: number): string {
  const s = Math.round((Date.parse(at) - now) / 1000);
  if (s <= 0) return "due now";
  if (s < 60) return `in ${s} s`;
  const m = Math.round(s / 60);
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const min = m % 60;
  return `in ${[d && `${d} d`, h && `${h} h`, min && `${min} min`].filter(Boolean).join(" ")}`;
}

/** "18:00 UTC", with the date when it is not today. */
export function atText(at: string, now: number): string {
  const iso = new Date(at).toISOString();
  const sameDay = iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  return `${sameDay ? "" : `${iso.slice(0, 10)} `}${iso.slice(11, 16)} UTC`;
}

/**
 * A time-boxed change's way back: "back to 12 at 18:00 UTC (in 1 h 12 min)", and for those who
 * may change the pool, +1 h and cancel. Both are audited on the server.
 */
export function RevertBanner({
  region,
  pool,
  revert,
  canChange,
  compact = false,
  onChanged,
}: {
  region: string;
  pool: string;
  revert: RevertView;
  canChange: boolean;
  compact?: boolean;
  onChanged: () => void;
}) {
  // Null while hydrating: the streamed HTML says the time it goes back, the browser adds "in 12 min".
  const now = useNow(15_000);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function act(method: "POST" | "DELETE") {
    setBusy(true);
    setError(null);
    const res =
      method === "POST"
        ? await api.extendRevert(
            region,
            pool,
            Math.max(1, Math.round((Date.parse(revert.at) - Date.now()) / 60_000)) + 60,
          )
        : await api.cancelRevert(region, pool);
    if (!res.ok) setError(res.error.error);
    setBusy(false);
    onChanged();
  }

  const text = `back to ${revert.to} at ${atText(revert.at, now ?? Date.parse(revert.at))}${now === null ? "" : ` (${untilText(revert.at, now)})`}`;
  return (
    <div
      className={
        compact
          ? "flex flex-wrap items-center gap-1 text-xs text-sky-800 dark:text-sky-300"
          : "flex flex-wrap items-center gap-2 rounded border border-sky-300 bg-sky-50 px-3 py-2 text-sm text-sky-900 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-200"
      }
      data-testid="revert-banner"
    >
      <span title={`Time-boxed change by ${revert.by} (audit ${revert.changeId}): expects ${revert.from}`}>
        {compact ? text : `${revert.from} for now, ${text} — time-boxed by ${revert.by}`}
      </span>
      {canChange && (
        <>
          <Button
            variant="tinted"
            size="xs"
            disabled={busy}
            onClick={() => act("POST")}
            aria-label={`Extend the revert of ${pool} in ${region} by one hour`}
          >
            +1 h
          </Button>
          <Button
            variant="tinted"
            size="xs"
            disabled={busy}
            onClick={() => act("DELETE")}
            aria-label={`Cancel the revert of ${pool} in ${region}`}
          >
            cancel
          </Button>
        </>
      )}
      {error && <InlineAlert tone="error">{error}</InlineAlert>}
    </div>
  );
}
