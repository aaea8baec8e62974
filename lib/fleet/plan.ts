// The standby plan as the standby page draws it (components/fleet/standby-plan.tsx, by type):
// what lib/services/standby-plan.ts makes and applies.

export interface PlanChange {
  pool: string;
  name: string;
  from: number;
  to: number;
  /** Guardrail notes for this change (a change beyond them is refused, not forced). */
  guardrails: string[];
  /** What the change adds (or saves, negative) per hour at the pool's instance price. */
  costPerHour: number;
}

export interface StandbyPlan {
  planId: string;
  region: string;
  generatedAt: string;
  explanation: string;
  changes: PlanChange[];
  /** Total of costPerHour. */
  costPerHour: number;
}

export interface PlanPoolResult {
  pool: string;
  from: number;
  to: number;
  /** applied: the change succeeded; refused: a rule said no (409 when the pool moved); failed: the backend said no or did not answer. */
  status: "applied" | "refused" | "failed";
  httpStatus: number;
  message: string | null;
  auditId: string | null;
}

export interface PlanApplyResult {
  planId: string;
  batchId: string;
  region: string;
  revertAt: string | null;
  results: PlanPoolResult[];
}
