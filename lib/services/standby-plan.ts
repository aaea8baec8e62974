import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { z } from "zod";
import { auditStore } from "@/lib/audit";
import { authorize, type AuthorizedIdentity, type Identity } from "@/lib/auth/roles";
import { findPool, getConfig, type FleetConfig } from "@/lib/config";
import type { PlanApplyResult, PlanChange, PlanPoolResult, StandbyPlan } from "@/lib/fleet/plan";
import type { StandbyView } from "@/lib/fleet/views";
import { newEvent, publicUrl, route } from "@/lib/notify/events";
import { kickDeliveries } from "@/lib/notify/jobs";
import { fieldErrors } from "@/lib/validation";
import { changeCapacity, type ChangeDeps } from "./capacity/change-capacity";
import {
  REASON_MAX,
  REASON_MIN,
  REVERT_MAX_MINUTES,
  REVERT_MIN_MINUTES,
} from "./capacity/change-capacity-schema";
import { guardrailViolations } from "@/lib/shared/capacity-rules";
import { refusalRow, refuse } from "./refusals";
import { AppError, ForbiddenError, ValidationError } from "@/lib/errors";
import { readStandby } from "./read-standby";

// "The standby can take over after scaling 5 pools": the changes the verdict asks for, as one
// reviewed plan an admin applies in one action. The plan id carries the plan itself (pool, from,
// to, when), so any replica can apply it without shared state; each pool is then its own change
// through changeCapacity (rules, guardrails, audit), expecting the `from` the admin reviewed, with
// a shared batchId and an idempotency key derived from the plan (a repeated POST applies nothing
// twice). A pool that moved since is refused (409) and reported; the others go ahead.

/** A plan older than this is refused: the admin reviews a fresh one. */
export const PLAN_TTL_MS = 15 * 60_000;

export type { PlanApplyResult, PlanChange, PlanPoolResult, StandbyPlan };

const encoded = z.object({
  v: z.literal(1),
  at: z.number(),
  r: z.string(),
  c: z.array(z.tuple([z.string(), z.number().int(), z.number().int()])),
});

function encodePlan(
  region: string,
  at: number,
  changes: { pool: string; from: number; to: number }[],
): string {
  const body = Buffer.from(
    JSON.stringify({ v: 1, at, r: region, c: changes.map((c) => [c.pool, c.from, c.to]) }),
  ).toString("base64url");
  return `${body}.${checksum(body)}`;
}

const checksum = (body: string) =>
  createHash("sha256").update(`capstan-plan:${body}`).digest("base64url").slice(0, 16);

function decodePlan(planId: string): z.infer<typeof encoded> | null {
  const [body, sum] = planId.split(".");
  if (!body || !sum || checksum(body) !== sum) return null;
  try {
    const parsed = encoded.safeParse(JSON.parse(Buffer.from(body, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function readStandbyPlan(
  identity: Identity | null,
  deps: { now?: () => Date } = {},
): Promise<StandbyPlan> {
  const who = authorize(identity, "standby:plan");
  return planFromView(await readStandby(who), getConfig(), (deps.now ?? (() => new Date()))().getTime());
}

/** The changes the verdict asks for: every pool to scale, to the size it needs, with its guardrails and cost. */
export function planFromView(view: StandbyView, cfg: FleetConfig, now: number): StandbyPlan {
  const changes: PlanChange[] = [];
  for (const p of view.pools) {
    if (p.verdict !== "scale" || p.needed === null || !p.standby) continue;
    const conf = findPool(cfg, p.id);
    if (!conf) continue;
    const group = {
      region: view.standby,
      desired: p.standby.desired,
      min: 0,
      max: p.standby.max,
      hasScalingPolicies: false,
      hasScheduledActions: false,
    };
    const notes = guardrailViolations(group, conf, { desired: p.needed }).map(
      (v) => `${v.message}: it will be refused; change it on its own with an override`,
    );
    changes.push({
      pool: p.id,
      name: p.name,
      from: p.standby.desired,
      to: p.needed,
      guardrails: notes,
      costPerHour: Math.round((p.needed - p.standby.desired) * conf.instance.hourlyPrice * 1000) / 1000,
    });
  }
  return {
    planId: encodePlan(view.standby, now, changes),
    region: view.standby,
    generatedAt: new Date(now).toISOString(),
    explanation: view.overallExplanation,
    changes,
    costPerHour: Math.round(changes.reduce((s, c) => s + c.costPerHour, 0) * 1000) / 1000,
  };
}

export const applyPlanSchema = z.strictObject({
  planId: z.string().min(10).max(8_000),
  reason: z.string().trim().min(REASON_MIN).max(REASON_MAX),
  revertAfterMinutes: z.number().int().min(REVERT_MIN_MINUTES).max(REVERT_MAX_MINUTES).optional(),
});

/** Step 1 of applying: admins only; a known identity's denial is audited, like every denied write. */
export async function authorizePlan(
  identity: Identity | null | undefined,
  deps: Partial<Pick<ChangeDeps, "store" | "config" | "now">> = {},
): Promise<AuthorizedIdentity> {
  try {
    return authorize(identity, "standby:plan");
  } catch (err) {
    if (identity && err instanceof ForbiddenError) {
      const cfg = deps.config ?? getConfig();
      const what = {
        action: "capacity" as const,
        region: cfg.regions.standby,
        pool: "(standby plan)",
        reason: "apply the standby plan",
      };
      await refuse(
        () => deps.store ?? auditStore(),
        refusalRow(identity, what, (deps.now ?? (() => new Date()))()),
        "denied",
        "Forbidden",
        err,
      );
    }
    throw err;
  }
}

export async function applyStandbyPlan(
  identity: Identity | null,
  raw: unknown,
  deps: Partial<ChangeDeps> & { kick?: () => void } = {},
): Promise<PlanApplyResult> {
  const who = await authorizePlan(identity, deps);
  const parsed = applyPlanSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError("Check the highlighted fields.", fieldErrors(parsed.error));
  const input = parsed.data;
  const cfg = deps.config ?? getConfig();
  const now = deps.now ?? (() => new Date());
  const plan = decodePlan(input.planId);
  if (!plan)
    throw new ValidationError("This plan id is not one Capstan made.", {
      planId: "not a plan id from GET /api/standby/plan",
    });
  if (plan.r !== cfg.regions.standby)
    throw new ValidationError(`This plan is for ${plan.r}, not the standby region.`, {
      planId: "for another region",
    });
  if (now().getTime() - plan.at > PLAN_TTL_MS) {
    throw new ValidationError("This plan is more than 15 minutes old: review a fresh one.", {
      planId: "expired: load the plan again",
    });
  }
  const batchId = randomUUID();
  const key = createHash("sha256").update(`${who.name}:${input.planId}`).digest("hex").slice(0, 24);
  const results: PlanPoolResult[] = [];
  let revertAt: string | null = null;
  for (const [pool, from, to] of plan.c) {
    try {
      const r = await changeCapacity(
        who,
        { region: plan.r, pool },
        {
          desired: to,
          expectedDesired: from,
          reason: `Standby plan: ${input.reason}`.slice(0, REASON_MAX),
          idempotencyKey: `plan-${key}-${pool}`.slice(0, 128),
          revertAfterMinutes: input.revertAfterMinutes,
        },
        { ...deps, config: cfg, now, internal: { batchId } },
      );
      revertAt ??= r.record.revertAt;
      results.push({
        pool,
        from,
        to,
        status: "applied",
        httpStatus: 200,
        message: null,
        auditId: r.record.id,
      });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const auditId =
        typeof (err.body() as { auditId?: unknown }).auditId === "string"
          ? (err.body() as { auditId: string }).auditId
          : null;
      results.push({
        pool,
        from,
        to,
        status: err.status === 502 ? "failed" : "refused",
        httpStatus: err.status,
        message: err.message,
        auditId,
      });
    }
  }
  // One notification for the batch (the per-pool changes carry the batchId and are not notified one by one).
  const targets = cfg.notify ?? [];
  if (targets.length > 0 && plan.c.length > 0) {
    const event = newEvent("standby.plan-applied", now().toISOString(), {
      actor: who.name,
      region: plan.r,
      batchId,
      reason: input.reason,
      revertAt,
      applied: results.filter((r) => r.status === "applied").length,
      refused: results.filter((r) => r.status !== "applied").length,
      changes: results.map((r) => ({
        pool: r.pool,
        from: r.from,
        to: r.to,
        status: r.status,
        message: r.message,
      })),
      url: publicUrl("/standby"),
    });
    try {
      await (deps.store ?? auditStore()).enqueue(route(targets, event), now().toISOString());
      (deps.kick ?? kickDeliveries)();
    } catch (err) {
      console.error(
        `capstan: could not queue the standby.plan-applied notification (${err instanceof Error ? err.message : String(err)})`,
      );
    }
  }
  return { planId: input.planId, batchId, region: plan.r, revertAt, results };
}
