// The rules a capacity change is checked against, as pure functions: the confirmation dialog
// shows them before submitting and lib/services/capacity/change-capacity.ts enforces the very same ones.
// Shared (lib/shared): bundled into client components, so no imports at all; eslint (boundaries)
// refuses a server module here.

/** What the preview needs of a group (GroupState and PoolSummary-with-region both fit). */
export interface PreviewGroup {
  region: string;
  desired: number;
  min: number;
  max: number;
  hasScalingPolicies: boolean;
  hasScheduledActions: boolean;
}

/** What the preview needs of a pool's configuration (a PoolConfig fits). */
export interface PreviewPool {
  id: string;
  guardrails: { floor: Record<string, number>; maxStep?: number };
  instance: { hourlyPrice: number };
}

export interface PreviewInput {
  desired: number;
  min?: number;
  max?: number;
}

export interface GuardrailViolation {
  field: "desired" | "min";
  guardrail: "floor" | "maxStep";
  message: string;
}

export interface ChangePreview {
  from: number;
  to: number;
  delta: number;
  /** Rounded percentage of `from`; null when `from` is 0. */
  percent: number | null;
  /** "Desired 12 → 16 (+4, +33 %)" */
  summary: string;
  /** "Min 4 → 6", "Max 48 → 40": only the bounds that change. */
  boundsSummary: string[];
  /** USD per hour, from the pool's configured instance price (negative: saving). */
  hourlyCostDelta: number;
  /** "+$0.80 per hour (about +$584 per month)" */
  costSummary: string;
  /** Out-of-range fields (`desired`, `min`): the server answers 400 with the same text. */
  boundsErrors: Record<string, string>;
  guardrails: GuardrailViolation[];
  /** Beyond a guardrail: only an admin, typing the pool id, may submit. */
  requiresOverride: boolean;
  /** Everything the operator should read before confirming, guardrails first. */
  warnings: string[];
  noChange: boolean;
}

/** A reason is required for every change: 3–500 characters (the browser checks too, without zod). */
export const REASON_MIN = 3;
export const REASON_MAX = 500;

const HOURS_PER_MONTH = 730;

function signed(n: number): string {
  return n > 0 ? `+${n}` : n < 0 ? `-${Math.abs(n)}` : "0";
}

function usd(v: number, digits = Math.abs(v) > 0 && Math.abs(v) < 0.005 ? 4 : 2): string {
  return `${v > 0 ? "+" : v < 0 ? "-" : ""}$${Math.abs(v).toFixed(digits)}`;
}

/** `min ≤ desired ≤ max`, with the new min/max when an admin changes them. No clamping. */
export function boundsErrors(
  group: Pick<PreviewGroup, "min" | "max">,
  input: PreviewInput,
): Record<string, string> {
  const min = input.min ?? group.min;
  const max = input.max ?? group.max;
  const out: Record<string, string> = {};
  if (min > max) out.min = `must be at most the maximum (max ${max})`;
  if (input.desired > max) out.desired = `must be at most the maximum (max ${max})`;
  else if (input.desired < min) out.desired = `must be at least the minimum (min ${min})`;
  return out;
}

/**
 * Guardrails from configuration. The floor stops changes that go down to below it (raising a
 * group that is already under its floor is always welcome); the step limits one change's size.
 */
export function guardrailViolations(
  group: PreviewGroup,
  pool: PreviewPool,
  input: PreviewInput,
): GuardrailViolation[] {
  const out: GuardrailViolation[] = [];
  const floor = pool.guardrails.floor[group.region] ?? null;
  const maxStep = pool.guardrails.maxStep ?? null;
  const to = input.desired;
  if (floor !== null && to < floor && to < group.desired) {
    out.push({
      field: "desired",
      guardrail: "floor",
      message: `${to} is below the floor of ${floor} for ${pool.id} in ${group.region}`,
    });
  }
  if (floor !== null && input.min !== undefined && input.min < floor && input.min < group.min) {
    out.push({
      field: "min",
      guardrail: "floor",
      message: `min ${input.min} is below the floor of ${floor} for ${pool.id} in ${group.region}`,
    });
  }
  const step = to - group.desired;
  if (maxStep !== null && Math.abs(step) > maxStep) {
    out.push({
      field: "desired",
      guardrail: "maxStep",
      message: `a step of ${signed(step)} is more than the maximum step of ${maxStep} per change for ${pool.id}`,
    });
  }
  return out;
}

/** Guardrail violations as form field errors (one message per field). */
export function guardrailFields(violations: GuardrailViolation[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of violations) out[v.field] = out[v.field] ? `${out[v.field]}; ${v.message}` : v.message;
  return out;
}

export function previewChange(group: PreviewGroup, pool: PreviewPool, input: PreviewInput): ChangePreview {
  const from = group.desired;
  const to = input.desired;
  const delta = to - from;
  const percent = from === 0 ? null : Math.round((delta / from) * 100);
  const detail =
    delta === 0 ? "no change" : percent === null ? signed(delta) : `${signed(delta)}, ${signed(percent)} %`;
  const boundsSummary: string[] = [];
  if (input.min !== undefined && input.min !== group.min)
    boundsSummary.push(`Min ${group.min} → ${input.min}`);
  if (input.max !== undefined && input.max !== group.max)
    boundsSummary.push(`Max ${group.max} → ${input.max}`);

  const hourly = Math.round(delta * pool.instance.hourlyPrice * 10_000) / 10_000;
  const costSummary =
    hourly === 0
      ? "no change in cost"
      : `${usd(hourly)} per hour (about ${usd(Math.round(hourly * HOURS_PER_MONTH), 0)} per month)`;

  const guardrails = guardrailViolations(group, pool, input);
  const warnings = guardrails.map(
    (g) => `Guardrail: ${g.message}. Only an admin can override it, typing "${pool.id}" to confirm.`,
  );
  if (group.hasScalingPolicies) {
    warnings.push(
      "This group has scaling policies: they may change desired capacity on their own and undo a manual change.",
    );
  }
  if (group.hasScheduledActions) {
    warnings.push(
      "This group has scheduled actions: a scheduled action may reset desired capacity and undo a manual change.",
    );
  }
  const noChange = delta === 0 && boundsSummary.length === 0;
  return {
    from,
    to,
    delta,
    percent,
    summary: `Desired ${from} → ${to} (${detail})`,
    boundsSummary,
    hourlyCostDelta: hourly,
    costSummary,
    boundsErrors: boundsErrors(group, input),
    guardrails,
    requiresOverride: guardrails.length > 0,
    warnings,
    noChange,
  };
}
