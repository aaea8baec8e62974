import "server-only";
import { z } from "zod";
import { auditStore, type NewAuditRecord } from "@/lib/audit";
import { simulatedBackend } from "@/lib/backends";
import { authorize, type Identity } from "@/lib/auth/roles";
import { sharedCache } from "@/lib/cache/shared-cache";
import { getConfig, regionsOf } from "@/lib/config";
import { fieldErrors } from "@/lib/validation";
import { assertKnownTarget, refuse } from "./refusals";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";

// Admin-only, simulated backend only: multiply one pool's arrivals for a while, so a demo or a
// test can play the whole scaling loop (page load rises, the pool is bumped, it recovers) in
// minutes. Audited like fault injection (action `faults`, the pool named): denied attempts too.

const target = { region: z.string().min(1).max(64), pool: z.string().min(1).max(64) };
const startSchema = z.strictObject({
  ...target,
  factor: z.number().min(0.1).max(20),
  minutes: z.number().int().min(1).max(240),
  startedMinutesAgo: z.number().int().min(0).max(60).default(0),
});
const endSchema = z.strictObject(target);

const NOT_SIMULATED = "Load surges exist only with the simulated backend.";

export async function startSurge(identity: Identity | null, input: unknown) {
  const body = startSchema.safeParse(input);
  const describe = body.success
    ? `surge ×${body.data.factor} for ${body.data.minutes} min${body.data.startedMinutesAgo ? `, started ${body.data.startedMinutesAgo} min ago` : ""}`
    : "surge";
  const { who, region, pool } = await admit(identity, input, describe);
  if (!body.success) throw new ValidationError("Check the fields.", fieldErrors(body.error));
  const sim = simulatedBackend()!;
  const intent = await auditStore().recordIntent(entry(who, region, pool, describe));
  const surge = await sim.setSurge(region, pool, body.data);
  await auditStore().recordOutcome(intent.record.id, {
    outcome: "succeeded",
    completedAt: new Date().toISOString(),
  });
  await invalidate(region);
  return { surge, surges: await sim.surges() };
}

export async function endSurge(identity: Identity | null, input: unknown) {
  const body = endSchema.safeParse(input);
  const { who, region, pool } = await admit(identity, input, "surge ended");
  if (!body.success) throw new ValidationError("Check the fields.", fieldErrors(body.error));
  const sim = simulatedBackend()!;
  const intent = await auditStore().recordIntent(entry(who, region, pool, "surge ended"));
  await sim.setSurge(region, pool, null);
  await auditStore().recordOutcome(intent.record.id, {
    outcome: "succeeded",
    completedAt: new Date().toISOString(),
  });
  await invalidate(region);
  return { surges: await sim.surges() };
}

/** Authorize (a denial is audited), then: simulated backend only, a known region and pool. */
async function admit(identity: Identity | null, input: unknown, describe: string) {
  const raw = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>;
  const region = typeof raw.region === "string" ? raw.region.slice(0, 64) : "-";
  const pool = typeof raw.pool === "string" ? raw.pool.slice(0, 64) : "*";
  let who: Identity;
  try {
    who = authorize(identity, "sim:faults", region !== "-" && pool !== "*" ? { region, pool } : {});
  } catch (e) {
    if (e instanceof ForbiddenError && identity) {
      if (region !== "-") assertKnownTarget(getConfig(), { region, pool: pool === "*" ? undefined : pool });
      await refuse(auditStore, entry(identity, region, pool, describe), "denied", "Forbidden", e);
    }
    throw e;
  }
  if (!simulatedBackend()) throw new NotFoundError(NOT_SIMULATED);
  const cfg = getConfig();
  const fields: Record<string, string> = {};
  if (typeof raw.region === "string" && !regionsOf(cfg).some((r) => r.region === region)) {
    fields.region = `expected ${regionsOf(cfg)
      .map((r) => r.region)
      .join(" or ")}`;
  }
  if (typeof raw.pool === "string" && !cfg.pools.some((p) => p.id === pool)) fields.pool = "unknown pool";
  if (Object.keys(fields).length > 0) throw new ValidationError("Unknown region or pool.", fields);
  return { who, region, pool };
}

function entry(who: Identity, region: string, pool: string, reason: string): NewAuditRecord {
  return {
    time: new Date().toISOString(),
    actor: who.name,
    role: who.role,
    action: "faults",
    region,
    pool,
    group: null,
    from: null,
    expected: null,
    to: null,
    minFrom: null,
    minTo: null,
    maxFrom: null,
    maxTo: null,
    reason,
    idempotencyKey: null,
    requestHash: null,
    override: false,
  };
}

/** The next read goes upstream, so the surge shows at once rather than after the cache window. */
async function invalidate(region: string): Promise<void> {
  await sharedCache().invalidate(`metrics:${region}`);
}
