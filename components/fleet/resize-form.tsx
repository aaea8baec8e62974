"use client";

import { useState } from "react";
import type { PoolSummary, Suggestion } from "@/lib/fleet/views";
import { Button } from "@/components/ui/button";
import { CONTROL, Field } from "@/components/ui/field";
import { describePrediction } from "./prediction-line";
import type { PreviewPool } from "@/lib/shared/capacity-rules";
import { ResizeDialog, type ResizeRequest } from "./resize-dialog";

/** The pool page's resize form: pick a desired size, then the same confirmation as the overview. */
export function ResizeForm({
  region,
  pool,
  config,
  admin,
  suggestion,
  onDone,
}: {
  region: string;
  pool: PoolSummary;
  config: PreviewPool;
  admin: boolean;
  suggestion: Suggestion | null;
  onDone: () => void;
}) {
  const [desired, setDesired] = useState(String(pool.desired));
  const [request, setRequest] = useState<ResizeRequest | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const n = Number(desired);
  const valid = desired !== "" && Number.isInteger(n) && n >= 0;

  function review(e: React.FormEvent) {
    e.preventDefault();
    if (!valid) return;
    setRequest({
      region,
      pool: config,
      admin,
      desired: n,
      group: {
        region,
        desired: pool.desired,
        min: pool.min,
        max: pool.max,
        hasScalingPolicies: pool.hasScalingPolicies,
        hasScheduledActions: pool.hasScheduledActions,
      },
    });
  }

  return (
    <section
      aria-labelledby="resize-title-form"
      className="rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900"
    >
      <form onSubmit={review} className="flex flex-wrap items-end gap-3">
        <h2 id="resize-title-form" className="w-full font-medium sm:w-auto sm:self-center">
          Resize
        </h2>
        <Field
          id="resize-desired"
          label={`Desired (now ${pool.desired}, ${pool.min}–${pool.max})`}
          className=""
          error={valid ? undefined : "a whole number of 0 or more"}
        >
          <input
            id="resize-desired"
            inputMode="numeric"
            value={desired}
            onChange={(e) => setDesired(e.target.value)}
            aria-invalid={!valid}
            aria-describedby="resize-desired-error"
            className={`${CONTROL} w-24 text-right`}
          />
        </Field>
        <Button variant="primary" type="submit" disabled={!valid}>
          Review change{admin ? " (and min/max)" : ""}
        </Button>
        {suggestion && (
          <div className="min-w-0 flex-1 text-sm text-slate-600 dark:text-slate-300" data-testid="suggestion">
            <div>
              Suggested: <strong className="text-slate-900 dark:text-slate-100">{suggestion.desired}</strong>
              {suggestion.predicted && (
                <span data-testid="suggestion-prediction">
                  {" "}
                  — {describePrediction({ ...suggestion.predicted, saturated: false })}
                </span>
              )}
              {suggestion.desired !== pool.desired && (
                <Button
                  variant="link"
                  onClick={() => setDesired(String(suggestion.desired))}
                  className="ml-2 text-xs"
                >
                  use {suggestion.desired}
                </Button>
              )}
            </div>
            <div className="text-xs text-slate-500 dark:text-slate-400">{suggestion.reason}</div>
          </div>
        )}
        {notice && (
          <p role="status" className="text-sm text-sky-800 dark:text-sky-300">
            {notice}
          </p>
        )}
      </form>
      {request && (
        <ResizeDialog
          request={request}
          onClose={() => setRequest(null)}
          onDone={(m) => {
            setNotice(m);
            onDone();
          }}
        />
      )}
    </section>
  );
}
