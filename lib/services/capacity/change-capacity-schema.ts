import "server-only";
import { z } from "zod";
import { REASON_MAX, REASON_MIN } from "@/lib/shared/capacity-rules";

// The one request contract for a capacity change, used by the JSON API and the service. The
// browser checks the same limits through lib/shared/capacity-rules.ts, without shipping zod (whose eval
// probe would trip the CSP). Unknown fields are errors.

export { REASON_MAX, REASON_MIN };

export const REVERT_MIN_MINUTES = 1;
/** Seven days. */
export const REVERT_MAX_MINUTES = 10_080;

const count = z.number().int().min(0);

/** C0 controls but tab and line breaks, DEL, C1 controls, and the Unicode bidi/invisible controls. */
export const UNSAFE_TEXT =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

export const changeCapacitySchema = z.strictObject({
  /** The desired capacity asked for. */
  desired: count,
  /** The desired capacity the operator saw; a different current value is a 409. */
  expectedDesired: count,
  reason: z
    .string()
    .trim()
    .min(REASON_MIN)
    .max(REASON_MAX)
    // Kept verbatim in the audit log and its CSV: no NUL, control characters, ANSI escapes or
    // bidi controls that could hide or reorder text for whoever reads it later.
    .refine(
      (s) => !UNSAFE_TEXT.test(s),
      "must not contain control characters or bidi controls (line breaks and tabs are fine)",
    ),
  /** One per submission (a double click repeats it); a new one after any edit or a failure. */
  idempotencyKey: z
    .string()
    .min(8)
    .max(128)
    .regex(/^[A-Za-z0-9._:-]+$/, "letters, digits and . _ : - only"),
  /** Admins only. */
  min: count.optional(),
  /** Admins only. */
  max: count.optional(),
  /** Admins only: the pool id typed to go beyond a guardrail. */
  override: z.strictObject({ confirm: z.string().max(128) }).optional(),
  /** A time-boxed change: back to the value it replaced this many minutes later (1 min – 7 days). */
  revertAfterMinutes: z.number().int().min(REVERT_MIN_MINUTES).max(REVERT_MAX_MINUTES).optional(),
});

export type ChangeCapacityInput = z.infer<typeof changeCapacitySchema>;
/** Field names a form may show errors under (`override.confirm` for the typed confirmation). */
export type ChangeCapacityField = keyof ChangeCapacityInput | "override.confirm" | "_";
