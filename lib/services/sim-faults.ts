import { z } from "zod";
import { simulatedBackend } from "@/lib/backends";
import { authorize, type Identity } from "@/lib/auth/roles";
import { sharedCache } from "@/lib/cache/shared-cache";
import { getConfig, regionsOf } from "@/lib/config";
import { fieldErrors } from "@/lib/validation";
import { NotFoundError, ValidationError } from "./errors";

const faultSchema = z.strictObject({ region: z.string(), fault: z.enum(["ok", "slow", "throttled", "down"]) });

export async function readFaults(identity: Identity | null) {
  authorize(identity, "sim:faults");
  const sim = simulatedBackend();
  if (!sim) throw new NotFoundError("Fault injection exists only with the simulated backend.");
  return { faults: sim.faults() };
}

/** Admin-only, simulated backend only: make a region slow, throttled or down for demos and tests. */
export async function setFault(identity: Identity | null, input: unknown) {
  authorize(identity, "sim:faults");
  const sim = simulatedBackend();
  if (!sim) throw new NotFoundError("Fault injection exists only with the simulated backend.");
  const parsed = faultSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError("Check the fields.", fieldErrors(parsed.error));
  if (!regionsOf(getConfig()).some((r) => r.region === parsed.data.region)) {
    throw new ValidationError("Unknown region.", { region: `expected ${regionsOf(getConfig()).map((r) => r.region).join(" or ")}` });
  }
  sim.setFault(parsed.data.region, parsed.data.fault);
  // The next read goes upstream, so the fault shows at once rather than after the cache window.
  sharedCache().invalidate(`groups:${parsed.data.region}`);
  sharedCache().invalidate(`metrics:${parsed.data.region}`);
  return { faults: sim.faults() };
}
