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
import { CapacityFields } from "./capacity-fields";
import { ResizePreview } from "./resize-preview";
import { failureOf, newKey, submittedMessage, type Errors } from "./resize-submit";
import { RevertAfter, revertMinutes } from "./revert-after";

export interface ResizeRequest {
  region: string;
  group: PreviewGroup;
  pool: PreviewPool;
  /** The desired value to start from (current ± 1 from the overview buttons). */
  desired: number;
  admin: boolean;
}

const field = CONTROL;

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
    const minutes = revertMinutes(revertChoice, revertCustom);
    if (minutes !== undefined && !boundsChanged) body.revertAfterMinutes = minutes;
    try {
      const res = await api.changeCapacity(request.region, request.pool.id, body);
      if (res.ok) {
        ref.current?.close();
        onDone(
          submittedMessage(
            request.region,
            request.pool.id,
            preview.summary,
            expected,
            res.data?.record?.revertAt,
          ),
        );
        return;
      }
      const failure = failureOf(res.status, res.error);
      if (failure.renewKey) key.current = newKey();
      if (failure.expected !== undefined) setExpected(failure.expected);
      setErrors(failure.errors);
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
        <CapacityFields
          admin={request.admin}
          values={{ desired, min, max }}
          onChange={{ desired: edit(setDesired), min: edit(setMin), max: edit(setMax) }}
          errors={shownErrors}
        />
        <ResizePreview
          preview={preview}
          region={request.region}
          pool={request.pool.id}
          hourlyPrice={request.pool.instance.hourlyPrice}
          desired={parsed.desired}
        />
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
          <RevertAfter
            expected={expected}
            choice={revertChoice}
            custom={revertCustom}
            onChoice={edit(setRevertChoice)}
            onCustom={edit(setRevertCustom)}
            error={shownErrors.revertAfterMinutes}
          />
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
