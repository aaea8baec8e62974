"use client";

import type { ChangePreview } from "@/lib/shared/capacity-rules";
import { fmtUsd } from "@/components/ui/format";
import { PredictionLine } from "./prediction-line";

// What the resize dialog shows of a change before it is confirmed: the summary, bounds, hourly
// cost and predicted effect (announced as it changes), then any guardrail and policy warnings.

export function ResizePreview({
  preview,
  region,
  pool,
  hourlyPrice,
  desired,
}: {
  /** Null while the inputs are not whole numbers of 0 or more. */
  preview: ChangePreview | null;
  region: string;
  pool: string;
  hourlyPrice: number;
  desired: number;
}) {
  return (
    <>
      <div
        className="rounded bg-slate-100 px-3 py-2 dark:bg-slate-800"
        data-testid="resize-preview"
        aria-live="polite"
      >
        {preview ? (
          <>
            <div className="font-semibold">{preview.summary}</div>
            {preview.boundsSummary.map((b) => (
              <div key={b} className="text-sm">
                {b}
              </div>
            ))}
            <div className="text-sm text-slate-600 dark:text-slate-300">
              Cost: {preview.costSummary} at {fmtUsd(hourlyPrice)}/h per instance
            </div>
            <PredictionLine region={region} pool={pool} desired={preview.noChange ? null : desired} />
          </>
        ) : (
          <div className="text-sm text-red-700 dark:text-red-400">Enter whole numbers of 0 or more.</div>
        )}
      </div>
      {preview && preview.warnings.length > 0 && (
        <ul className="space-y-1 text-sm text-amber-900 dark:text-amber-300" data-testid="resize-warnings">
          {preview.warnings.map((w) => (
            <li key={w}>⚠ {w}</li>
          ))}
        </ul>
      )}
    </>
  );
}
