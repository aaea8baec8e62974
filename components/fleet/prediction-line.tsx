"use client";

import { useEffect, useState } from "react";
import { api } from "@/lib/client/api";
import type { PredictionView } from "@/lib/fleet/views";
import { fmtMs } from "@/components/ui/format";

/** "p90 ≈ 480 ms": seconds with one decimal from a second up (2.3 s reads better than 2,300 ms). */
export function fmtLatency(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : fmtMs(ms);
}

/** One line of prediction text, e.g. "predicted CPU 58 %, p90 ≈ 480 ms (now 2.3 s)". */
export function describePrediction(
  p: Pick<PredictionView, "cpuPercent" | "pageLoadP90Ms" | "backlogDrainMinutes" | "saturated"> & {
    now?: PredictionView["now"];
  },
): string {
  if (p.saturated) return "predicted: still saturated — arrivals exceed what this size can serve";
  const parts = [`predicted CPU ${Math.round(p.cpuPercent)} %`];
  if (p.pageLoadP90Ms !== undefined) {
    parts.push(
      `p90 ≈ ${fmtLatency(p.pageLoadP90Ms)}${p.now?.pageLoadP90Ms != null ? ` (now ${fmtLatency(p.now.pageLoadP90Ms)})` : ""}`,
    );
  }
  if (p.backlogDrainMinutes !== undefined) {
    parts.push(
      p.backlogDrainMinutes === null
        ? "backlog keeps growing"
        : p.backlogDrainMinutes === 0
          ? "no backlog"
          : `backlog drained in ≈ ${Math.ceil(p.backlogDrainMinutes)} min`,
    );
  }
  return parts.join(", ");
}

/**
 * What the fitted model predicts at the value being typed, fetched from …/predict (debounced).
 * When the data cannot carry a prediction the line says why instead of guessing.
 */
export function PredictionLine({
  region,
  pool,
  desired,
}: {
  region: string;
  pool: string;
  desired: number | null;
}) {
  const [text, setText] = useState<{ for: number; line: string; ok: boolean } | null>(null);
  useEffect(() => {
    if (desired === null) return;
    const ctl = new AbortController();
    const t = setTimeout(async () => {
      try {
        const res = await api.predict(region, pool, desired, ctl.signal);
        if (res.ok && res.data) setText({ for: desired, line: describePrediction(res.data), ok: true });
        else if (!res.ok && res.status === 0)
          setText({ for: desired, line: "no prediction: the server did not answer", ok: false });
        else if (!res.ok)
          setText({
            for: desired,
            line: `no prediction: ${res.error.error.replace(/^No prediction for [^:]+: /, "")}`,
            ok: false,
          });
      } catch (e) {
        if ((e as Error).name !== "AbortError")
          setText({ for: desired, line: "no prediction: the server did not answer", ok: false });
      }
    }, 250);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [region, pool, desired]);
  if (desired === null) return null;
  const current = text && text.for === desired ? text : null;
  return (
    <div
      data-testid="resize-prediction"
      aria-live="polite"
      className={`text-sm ${current?.ok === false ? "text-slate-500 dark:text-slate-400" : "text-slate-700 dark:text-slate-200"}`}
    >
      {current ? (current.ok ? `At ${desired}: ${current.line}` : current.line) : "predicting…"}
    </div>
  );
}
