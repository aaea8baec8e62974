import "server-only";
import type { EffectVerdict } from "@/lib/fleet/views";

// A change's effect in Capstan's words: the pool's figures before and after, and the verdict.

export type { EffectVerdict };
export const EFFECT_VERDICTS: readonly EffectVerdict[] = [
  "helped",
  "no change",
  "worse",
  "pending",
  "unknown",
];

/** The pool's figures over one window (means of the minute values; null: not measured). */
export interface EffectFigures {
  /** ISO-8601 UTC window. */
  from: string;
  to: string;
  pageLoadP90Ms: number | null;
  cpuPercent: number | null;
  backlog: number | null;
}

/**
 * A change's effect: figures over equal windows before and after (once the new instances have
 * settled), and the verdict. Stored beside the audit row, never in it: the audit row stays as
 * written. One stored effect per change (the first final verdict); `pending` is never stored.
 */
export interface ChangeEffect {
  changeId: string;
  evaluatedAt: string;
  verdict: EffectVerdict;
  before: EffectFigures | null;
  after: EffectFigures | null;
  summary: string;
}
