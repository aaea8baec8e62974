"use client";

import { useState } from "react";
import { api } from "@/lib/client/api";
import type { StandbyView } from "@/lib/fleet/views";
import type { PlanApplyResult, StandbyPlan } from "@/lib/fleet/plan";
import { Button } from "@/components/ui/button";
import { CONTROL, Field } from "@/components/ui/field";
import { fmtUsd } from "@/components/ui/format";
import { usePolling } from "@/components/ui/use-polling";

const REVERT_CHOICES = [
  { value: "", label: "no, keep it" },
  { value: "60", label: "1 h" },
  { value: "120", label: "2 h" },
  { value: "240", label: "4 h" },
  { value: "480", label: "8 h" },
];
const field = `${CONTROL} text-sm`;

/**
 * The standby plan for admins: every change the verdict asks for, its cost and guardrail notes,
 * applied in one reviewed action; then each pool's progress until it is in service.
 */
export function StandbyPlanPanel({ initial }: { initial: StandbyPlan }) {
  const [plan, setPlan] = useState(initial);
  const [reason, setReason] = useState("");
  const [revert, setRevert] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [applied, setApplied] = useState<PlanApplyResult | null>(null);
  const [progress, setProgress] = useState<Record<string, { desired: number; inService: number }>>({});

  // Once applied: each pool's progress until it is in service.
  usePolling(
    async () => {
      const res = await api.standby();
      if (res.ok && res.data) setProgress(progressOf(res.data));
    },
    3_000,
    { paused: !applied, immediate: true },
  );

  async function reload() {
    const res = await api.standbyPlan();
    if (res.ok && res.data) setPlan(res.data);
  }

  async function apply(e: React.FormEvent) {
    e.preventDefault();
    if (reason.trim().length < 3) return setError("Give a reason of at least 3 characters.");
    setBusy(true);
    setError(null);
    const res = await api.applyStandbyPlan({
      planId: plan.planId,
      reason: reason.trim(),
      ...(revert ? { revertAfterMinutes: Number(revert) } : {}),
    });
    if (!res.ok) setError(res.error.error);
    else setApplied(res.data);
    setBusy(false);
  }

  if (plan.changes.length === 0 && !applied) {
    return (
      <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="standby-plan">
        No change is needed in {plan.region}: there is no plan to apply.
      </p>
    );
  }

  return (
    <section
      aria-labelledby="plan-title"
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900"
      data-testid="standby-plan"
    >
      <div className="flex flex-wrap items-baseline gap-3">
        <h2 id="plan-title" className="font-medium">
          Get the standby ready: {plan.changes.length} change{plan.changes.length === 1 ? "" : "s"} in{" "}
          {plan.region}
        </h2>
        <span className="text-sm text-slate-600 dark:text-slate-300">
          {plan.costPerHour >= 0 ? "+" : "−"}
          {fmtUsd(Math.abs(plan.costPerHour))} per hour in all
        </span>
        {!applied && (
          <Button variant="link" onClick={reload} className="ml-auto text-xs">
            Refresh plan
          </Button>
        )}
      </div>
      <table className="w-full text-sm">
        <thead className="text-left text-xs text-slate-500 dark:text-slate-400">
          <tr>
            <th scope="col" className="py-1 pr-3 font-medium">
              Pool
            </th>
            <th scope="col" className="py-1 pr-3 font-medium">
              Desired
            </th>
            <th scope="col" className="py-1 pr-3 font-medium">
              Cost
            </th>
            <th scope="col" className="py-1 pr-3 font-medium">
              {applied ? "Progress" : "Guardrails"}
            </th>
          </tr>
        </thead>
        <tbody>
          {plan.changes.map((c) => {
            const r = applied?.results.find((x) => x.pool === c.pool);
            const p = progress[c.pool];
            return (
              <tr
                key={c.pool}
                className="border-t border-slate-100 dark:border-slate-800"
                data-testid={`plan-row-${c.pool}`}
              >
                <th scope="row" className="py-1.5 pr-3 text-left font-medium">
                  {c.pool}
                </th>
                <td className="py-1.5 pr-3 tabular-nums">
                  {c.from} → {c.to} (+{c.to - c.from})
                </td>
                <td className="py-1.5 pr-3 tabular-nums">+{fmtUsd(c.costPerHour)}/h</td>
                <td className="py-1.5 pr-3 text-xs">
                  {!r &&
                    (c.guardrails.length ? (
                      c.guardrails.map((g) => (
                        <div key={g} className="text-amber-800 dark:text-amber-300">
                          ⚠ {g}
                        </div>
                      ))
                    ) : (
                      <span className="text-slate-500 dark:text-slate-400">within guardrails</span>
                    ))}
                  {r?.status === "applied" && (
                    <span
                      className={
                        p && p.inService >= c.to
                          ? "text-emerald-700 dark:text-emerald-400"
                          : "text-sky-700 dark:text-sky-300"
                      }
                    >
                      {p
                        ? p.inService >= c.to
                          ? `in service: ${p.inService} / ${c.to}`
                          : `scaling: ${p.inService} of ${c.to} in service`
                        : "applied"}
                    </span>
                  )}
                  {r && r.status !== "applied" && (
                    <span className="text-red-700 dark:text-red-400">
                      {r.status} ({r.httpStatus}): {r.message}
                    </span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {applied ? (
        <p role="status" className="text-sm" data-testid="plan-result">
          Applied {applied.results.filter((r) => r.status === "applied").length} of {applied.results.length}{" "}
          (batch {applied.batchId.slice(0, 8)})
          {applied.revertAt ? `; back at ${new Date(applied.revertAt).toISOString().slice(11, 16)} UTC` : ""}.
        </p>
      ) : (
        <form onSubmit={apply} className="flex flex-wrap items-end gap-3" noValidate>
          <Field
            id="plan-reason"
            label="Reason (required, kept in the audit log)"
            className="min-w-64 flex-1"
          >
            <input
              id="plan-reason"
              className={`${field} w-full`}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              placeholder="e.g. failover drill"
              aria-describedby="plan-reason-error"
            />
          </Field>
          <Field id="plan-revert" label="Then stand down after" className="">
            <select
              id="plan-revert"
              className={field}
              value={revert}
              onChange={(e) => setRevert(e.target.value)}
              aria-describedby="plan-revert-error"
            >
              {REVERT_CHOICES.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </select>
          </Field>
          <Button variant="primary" type="submit" disabled={busy}>
            {busy
              ? "Applying…"
              : `Apply ${plan.changes.length} change${plan.changes.length === 1 ? "" : "s"}`}
          </Button>
          <p role="alert" className="w-full text-sm text-red-700 dark:text-red-400">
            {error}
          </p>
        </form>
      )}
    </section>
  );
}

function progressOf(v: StandbyView): Record<string, { desired: number; inService: number }> {
  return Object.fromEntries(
    v.pools.flatMap((p) =>
      p.standby ? [[p.id, { desired: p.standby.desired, inService: p.standby.inService }]] : [],
    ),
  );
}
