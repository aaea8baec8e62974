// Typed errors for every use case. lib/services/http.ts maps them to HTTP responses in one place;
// forms map them to their state type. Never throw plain objects.

export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly kind: string;
  /** Extra JSON fields for the response body. */
  body(): Record<string, unknown> {
    return {};
  }
}

export class UnauthenticatedError extends AppError {
  readonly status = 401;
  readonly kind = "unauthenticated";
  constructor(message = "Sign in first.") {
    super(message);
  }
}

export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly kind = "forbidden";
  /** Optional per-field explanations (e.g. `min` sent by a non-admin), shown beside the form field. */
  constructor(
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
  body(): Record<string, unknown> {
    return this.fields ? { fields: this.fields } : {};
  }
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly kind = "not_found";
}

export class ValidationError extends AppError {
  readonly status = 400;
  readonly kind = "validation";
  constructor(
    message: string,
    readonly fields: Record<string, string>,
  ) {
    super(message);
  }
  body() {
    return { fields: this.fields };
  }
}

export class ConflictError extends AppError {
  readonly status = 409;
  readonly kind = "conflict";
  constructor(
    message: string,
    readonly current: Record<string, unknown>,
  ) {
    super(message);
  }
  body() {
    return { current: this.current };
  }
}

export class IdempotencyMismatchError extends AppError {
  readonly status = 422;
  readonly kind = "idempotency_mismatch";
}

/**
 * A change beyond a pool's guardrails (floor, maximum step). 403 for a role that may not override;
 * 400 for an admin who has not typed the pool id as confirmation. Fields explain each guardrail.
 */
export class GuardrailError extends AppError {
  readonly kind = "guardrail";
  constructor(
    message: string,
    readonly fields: Record<string, string>,
    readonly status: 400 | 403,
  ) {
    super(message);
  }
  body() {
    return { fields: this.fields };
  }
}

/** The backend refused or failed: AWS's code, message and request id reach the operator unchanged. */
export class UpstreamError extends AppError {
  readonly status = 502;
  readonly kind = "upstream";
  constructor(
    readonly code: string,
    message: string,
    readonly requestId?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
  body() {
    return { code: this.code, requestId: this.requestId, ...this.extra };
  }
}

/** The audit store could not record the intent: nothing was sent to the backend. */
export class AuditUnavailableError extends AppError {
  readonly status = 503;
  readonly kind = "audit_unavailable";
}

/** The measured data cannot support a prediction (too few points, saturated, flat): never a guess. */
export class PredictionUnavailableError extends AppError {
  readonly status = 422;
  readonly kind = "prediction_unavailable";
}

/**
 * A repeated idempotency key whose first attempt has no settled outcome yet (still running, or
 * its process died mid-call): replaying it as a success would claim a change nobody saw happen.
 */
export class OutcomePendingError extends AppError {
  readonly status = 409;
  readonly kind = "outcome_pending";
  constructor(
    message: string,
    readonly auditId: string,
    readonly outcome: string,
  ) {
    super(message);
  }
  body() {
    return { auditId: this.auditId, outcome: this.outcome };
  }
}

/** A body past the size limit: refused while it streams in, before parsing. */
export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly kind = "payload_too_large";
}

/** A mutation whose body is not `application/json`. */
export class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
  readonly kind = "unsupported_media_type";
}

/** Too many refused attempts from one identity (or address) in a minute. */
export class RateLimitedError extends AppError {
  readonly status = 429;
  readonly kind = "rate_limited";
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
  body() {
    return { retryAfterSeconds: this.retryAfterSeconds };
  }
}

const STORE_ERROR = Symbol.for("capstan.StoreUnavailableError");

/** The database cannot be reached or locked: a write must not go ahead. */
export class StoreUnavailableError extends Error {
  /** Next.js may bundle this module into several chunks: recognise an error from any copy. */
  static [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[STORE_ERROR] === true
    );
  }
  readonly [STORE_ERROR] = true;
  override readonly name = "StoreUnavailableError";
}
