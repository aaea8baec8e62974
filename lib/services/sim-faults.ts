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

const faultSchema = z.strictObject({
  region: z.string(),
  fault: z.enum(["ok", "slow", "throttled", "down"]),
});

export async function readFaults(identity: Identity | null) {
  authorize(identity, "sim:faults");
  const sim = simulatedBackend();
  if (!sim) throw new NotFoundError("Fault injection exists only with the simulated backend.");
  return { faults: await sim.loadFaults() };
}

/**
 * Admin-only, simulated backend only: make a region slow, throttled or down for demos and tests.
 * A write like any other: denied attempts and applied faults are both in the audit log.
 */
export async function setFault(identity: Identity | null, input: unknown) {
  const body = faultSchema.safeParse(input);
  const region = body.success ? body.data.region : "-";
  const entry = (who: Identity): NewAuditRecord => ({
    time: new Date().toISOString(),
    actor: who.name,
    role: who.role,
    action: "faults",
    region,
    pool: "*",
    group: null,
    from: null,
    expected: null,
    to: null,
    minFrom: null,
    minTo: null,
    maxFrom: null,
    maxTo: null,
    reason: body.success ? body.data.fault : null,
    idempotencyKey: null,
    requestHash: null,
    override: false,
  });
  let who: Identity;
  try {
    who = authorize(identity, "sim:faults", body.success ? { region } : {});
  } catch (e) {
    if (e instanceof ForbiddenError && identity) {
      if (region !== "-") assertKnownTarget(getConfig(), { region });
      await refuse(auditStore, entry(identity), "denied", "Forbidden", e);
    }
    throw e;
  }
  const sim = simulatedBackend();
  if (!sim) throw new NotFoundError("Fault injection exists only with the simulated backend.");
  if (!body.success) throw new ValidationError("Check the fields.", fieldErrors(body.error));
  if (!regionsOf(getConfig()).some((r) => r.region === region)) {
    throw new ValidationError("Unknown region.", {
      region: `expected ${regionsOf(getConfig())
        .map((r) => r.region)
        .join(" or ")}`,
    });
  }
  const intent = await auditStore().recordIntent(entry(who));
  await sim.setFault(region, body.data.fault);
  await auditStore().recordOutcome(intent.record.id, {
    outcome: "succeeded",
    completedAt: new Date().toISOString(),
  });
  // The next read goes upstream, so the fault shows at once rather than after the cache window.
  await sharedCache().invalidate(`groups:${region}`);
  await sharedCache().invalidate(`metrics:${region}`);
  return { faults: await sim.loadFaults() };
}
