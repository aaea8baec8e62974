"use client";

import { useEffect, useMemo, useRef, useState } from "react";
import {
  previewChange,
  REASON_MAX,
  REASON_MIN,
  type PreviewGroup,
  type PreviewPool,
} from "@/lib/shared/capacity-rules";
import { api, type CapacityChange } from "@/lib/client/api";
import { Button } from "@/components/ui/button";
import { CONTROL, Field } from "@/components/ui/field";
import { fmtUsd } from "@/components/ui/format";
import { PredictionLine } from "./prediction-line";

export interface ResizeRequest {
  region: string;
  group: PreviewGroup;
  pool: PreviewPool;
  /** The desired value to start from (current ± 1 from the overview buttons). */
  desired: number;
  admin: boolean;
}

type Errors = Record<string, string>;

/** "then back to N after": none, or minutes. Custom opens a minutes field. */
const REVERT_CHOICES: { value: string; label: string }[] = [
  { value: "", label: "no, keep it" },
  { value: "30", label: "30 min" },
  { value: "60", label: "1 h" },
  { value: "120", label: "2 h" },
  { value: "240", label: "4 h" },
  { value: "480", label: "8 h" },
  { value: "1440", label: "24 h" },
  { value: "custom", label: "custom…" },
];

const field = CONTROL;
const input = `${field} w-24 text-right tabular-nums`;

function newKey(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/**
 * The one confirmation for every capacity change (overview − / + and the pool page's form):
 * the change as "Desired 12 → 16 (+4, +33 %)", its hourly cost, guardrail and policy warnings,
 * and a required reason. Enter submits, Escape cancels. The server enforces the same rules.
 */
export function ResizeDialog({
  request,
  onClose,
  onDone,
}: {
  request: ResizeRequest;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [desired, setDesired] = useState(String(request.desired));
  const [min, setMin] = useState(String(request.group.min));
  const [max, setMax] = useState(String(request.group.max));
  const [reason, setReason] = useState("");
  const [confirm, setConfirm] = useState("");
  const [revertChoice, setRevertChoice] = useState("");
  const [revertCustom, setRevertCustom] = useState("60");
  const [expected, setExpected] = useState(request.group.desired);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  // One key per submission: a double click repeats it (the server writes once); any edit makes a new one.
  const key = useRef(newKey());

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);

  const group = { ...request.group, desired: expected };
  const parsed = {
    desired: Number(desired),
    min: request.admin ? Number(min) : undefined,
    max: request.admin ? Number(max) : undefined,
  };
  const valid =
    [parsed.desired, parsed.min ?? 0, parsed.max ?? 0].every((n) => Number.isInteger(n) && n >= 0) &&
    desired !== "";
  const preview = useMemo(
    () =>
      valid
        ? previewChange(group, request.pool, {
            desired: parsed.desired,
            min: parsed.min !== group.min ? parsed.min : undefined,
            max: parsed.max !== group.max ? parsed.max : undefined,
          })
        : null,
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [valid, parsed.desired, parsed.min, parsed.max, expected],
  );
  // A time-boxed change sets desired only: with min/max changed, the choice is not offered.
  const boundsChanged =
    request.admin && (parsed.min !== request.group.min || parsed.max !== request.group.max);
  const shownErrors: Errors = { ...(preview?.boundsErrors ?? {}), ...errors };

  function edit<T>(set: (v: T) => void) {
    return (v: T) => {
      set(v);
      key.current = newKey();
      setErrors({});
    };
  }

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (busy || !preview) return;
    if (reason.trim().length < REASON_MIN) {
      setErrors({ reason: `give a reason of at least ${REASON_MIN} characters` });
      return;
    }
    setBusy(true);
    const body: CapacityChange = {
      desired: parsed.desired,
      expectedDesired: expected,
      reason: reason.trim(),
      idempotencyKey: key.current,
    };
    if (request.admin && parsed.min !== request.group.min) body.min = parsed.min;
    if (request.admin && parsed.max !== request.group.max) body.max = parsed.max;
    if (preview.requiresOverride && confirm) body.override = { confirm };
    if (revertChoice && !boundsChanged)
      body.revertAfterMinutes = Number(revertChoice === "custom" ? revertCustom : revertChoice);
    try {
      const res = await api.changeCapacity(request.region, request.pool.id, body);
      if (res.ok) {
        ref.current?.close();
        const back = res.data?.record?.revertAt
          ? `, back to ${expected} at ${new Date(res.data.record.revertAt).toISOString().slice(11, 16)} UTC`
          : "";
        onDone(`${request.pool.id} in ${request.region}: ${preview.summary} submitted${back}.`);
        return;
      }
      const json = res.error;
      if (res.status === 409 && json.kind === "outcome_pending") {
        // Same key kept: submitting again asks about the same first attempt, never a second change.
        setErrors({
          _: `The first attempt's outcome is not known yet: nothing was sent again. Watch the pool and check the audit log (${json.auditId}) before trying again.`,
        });
        return;
      }
      key.current = newKey();
      if (res.status === 0) {
        // No reply: the change may have been made. Sending again repeats the same key (written once).
        setErrors({ _: json.error });
        return;
      }
      key.current = newKey();
      if (res.status === 409 && json.current) {
        setExpected(json.current.desired);
        setErrors({
          _: `Someone changed this pool meanwhile: desired is now ${json.current.desired} (in service ${json.current.inService}). Review the change and submit again.`,
        });
      } else if (res.status === 502 && json.outcome === "unknown") {
        setErrors({
          _: `No reply from the backend (${json.code}: ${json.error}) The change may have been applied: watch the pool and check the audit log before trying again.`,
        });
      } else if (res.status === 502) {
        setErrors({ _: `AWS refused the change: ${json.code}: ${json.error}` });
      } else {
        setErrors({ _: json.error, ...(json.fields ?? {}) });
      }
    } catch (err) {
      setErrors({ _: `Network error: ${(err as Error).message}` });
    } finally {
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={ref}
      onClose={onClose}
      // While a change is being submitted, Escape must not hide its outcome.
      onCancel={(e) => {
        if (busy) e.preventDefault();
      }}
      aria-labelledby="resize-title"
      className="m-auto w-[min(34rem,95vw)] rounded-lg border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-950/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
    >
      <form onSubmit={submit} noValidate className="space-y-3 p-4" data-testid="resize-dialog">
        <h2 id="resize-title" className="text-lg font-semibold">
          Resize {request.pool.id}{" "}
          <span className="text-sm font-normal text-slate-500 dark:text-slate-400">in {request.region}</span>
        </h2>
        <div className="flex flex-wrap gap-4">
          <Field id="desired" label="Desired" error={shownErrors.desired}>
            <input
              id="desired"
              inputMode="numeric"
              className={input}
              value={desired}
              onChange={(e) => edit(setDesired)(e.target.value)}
              aria-invalid={!!shownErrors.desired}
              aria-describedby="desired-error"
              autoFocus
            />
          </Field>
          {request.admin && (
            <>
              <Field id="min" label="Min" error={shownErrors.min}>
                <input
                  id="min"
                  inputMode="numeric"
                  className={input}
                  value={min}
                  onChange={(e) => edit(setMin)(e.target.value)}
                  aria-invalid={!!shownErrors.min}
                  aria-describedby="min-error"
                />
              </Field>
              <Field id="max" label="Max" error={shownErrors.max}>
                <input
                  id="max"
                  inputMode="numeric"
                  className={input}
                  value={max}
                  onChange={(e) => edit(setMax)(e.target.value)}
                  aria-invalid={!!shownErrors.max}
                  aria-describedby="max-error"
                />
              </Field>
            </>
          )}
        </div>
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
                Cost: {preview.costSummary} at {fmtUsd(request.pool.instance.hourlyPrice)}/h per instance
              </div>
              <PredictionLine
                region={request.region}
                pool={request.pool.id}
                desired={preview.noChange ? null : parsed.desired}
              />
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
        {preview?.requiresOverride && request.admin && (
          <Field
            id="override"
            label={`Type ${request.pool.id} to override the guardrail`}
            error={shownErrors["override.confirm"]}
          >
            <input
              id="override"
              className={`${field} w-48`}
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
              aria-invalid={!!shownErrors["override.confirm"]}
              aria-describedby="override-error"
              autoComplete="off"
            />
          </Field>
        )}
        {!boundsChanged && (
          <div className="flex flex-wrap items-start gap-4">
            <Field
              id="revert"
              label={`Then back to ${expected} after`}
              error={revertChoice === "custom" ? undefined : shownErrors.revertAfterMinutes}
            >
              <select
                id="revert"
                className={`${field} w-40`}
                value={revertChoice}
                onChange={(e) => edit(setRevertChoice)(e.target.value)}
                aria-describedby="revert-error"
                data-testid="revert-after"
              >
                {REVERT_CHOICES.map((c) => (
                  <option key={c.value} value={c.value}>
                    {c.label}
                  </option>
                ))}
              </select>
            </Field>
            {revertChoice === "custom" && (
              <Field id="revert-minutes" label="Minutes (1–10080)" error={shownErrors.revertAfterMinutes}>
                <input
                  id="revert-minutes"
                  inputMode="numeric"
                  className={input}
                  value={revertCustom}
                  onChange={(e) => edit(setRevertCustom)(e.target.value)}
                  aria-invalid={!!shownErrors.revertAfterMinutes}
                  aria-describedby="revert-minutes-error"
                />
              </Field>
            )}
          </div>
        )}
        <Field id="reason" label="Reason (required, kept in the audit log)" error={shownErrors.reason}>
          <input
            id="reason"
            className={`${field} w-full`}
            value={reason}
            maxLength={REASON_MAX}
            onChange={(e) => setReason(e.target.value)}
            placeholder="e.g. p90 page load climbing since 14:05"
            aria-invalid={!!shownErrors.reason}
            aria-describedby="reason-error"
          />
        </Field>
        <p role="alert" className="min-h-5 text-sm text-red-700 dark:text-red-400" data-testid="resize-error">
          {shownErrors._}
        </p>
        <div className="flex justify-end gap-2">
          <Button variant="secondary" disabled={busy} onClick={() => ref.current?.close()}>
            Cancel
          </Button>
          <Button
            variant="primary"
            type="submit"
            disabled={
              busy ||
              !preview ||
              preview.noChange ||
              Object.keys(preview.boundsErrors).length > 0 ||
              (preview.requiresOverride && !request.admin)
            }
          >
            {busy ? "Submitting…" : "Confirm change"}
          </Button>
        </div>
      </form>
    </dialog>
  );
}
