import type { ApiErrorBody } from "@/lib/client/api";

// What the resize dialog does with the server's answer to a capacity change: the sentence shown,
// whether the next submission gets a new idempotency key, and the pool's desired value when
// someone else changed it meanwhile. Pure, so each answer's handling is visible in one place.

export type Errors = Record<string, string>;

/** One key per submission: a double click repeats it (the server writes once); any edit makes a new one. */
export function newKey(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export interface Failure {
  errors: Errors;
  /** False only when the first attempt's outcome is unknown: submitting again asks about it. */
  renewKey: boolean;
  /** A conflict's current desired value: the change is reviewed against it. */
  expected?: number;
}

export function failureOf(status: number, json: ApiErrorBody): Failure {
  if (status === 409 && json.kind === "outcome_pending") {
    // Same key kept: submitting again asks about the same first attempt, never a second change.
    return {
      renewKey: false,
      errors: {
        _: `The first attempt's outcome is not known yet: nothing was sent again. Watch the pool and check the audit log (${json.auditId}) before trying again.`,
      },
    };
  }
  // No reply (status 0): the change may have been made. Sending again repeats the same key, so the
  // server writes it once (or answers that the first attempt's outcome is not known yet).
  if (status === 0) return { renewKey: false, errors: { _: json.error } };
  if (status === 409 && json.current) {
    return {
      renewKey: true,
      expected: json.current.desired,
      errors: {
        _: `Someone changed this pool meanwhile: desired is now ${json.current.desired} (in service ${json.current.inService}). Review the change and submit again.`,
      },
    };
  }
  if (status === 502 && json.outcome === "unknown") {
    return {
      renewKey: true,
      errors: {
        _: `No reply from the backend (${json.code}: ${json.error}) The change may have been applied: watch the pool and check the audit log before trying again.`,
      },
    };
  }
  if (status === 502)
    return { renewKey: true, errors: { _: `AWS refused the change: ${json.code}: ${json.error}` } };
  return { renewKey: true, errors: { _: json.error, ...(json.fields ?? {}) } };
}

/** The announcement after a change is accepted, with its way back when it is time-boxed. */
export function submittedMessage(
  region: string,
  pool: string,
  summary: string,
  expected: number,
  revertAt: string | null | undefined,
): string {
  const back = revertAt
    ? `, back to ${expected} at ${new Date(revertAt).toISOString().slice(11, 16)} UTC`
    : "";
  return `${pool} in ${region}: ${summary} submitted${back}.`;
}
