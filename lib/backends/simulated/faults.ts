import "server-only";
import { BackendError } from "@/lib/fleet/types";

// Region faults for tests and demos: a region can answer slowly (longer than the app's region
// timeout), be throttled, or be unreachable, each failing the way the AWS SDK would report it.
// Writes obey them too: a scale-up against a down region must fail, not quietly succeed.

export type RegionFault = "ok" | "slow" | "throttled" | "down";
export const REGION_FAULTS: readonly RegionFault[] = ["ok", "slow", "throttled", "down"];
export const DEFAULT_SLOW_MS = 8000;

const isFault = (s: string): s is RegionFault => (REGION_FAULTS as readonly string[]).includes(s);

/** CAPSTAN_SIM_FAULTS, e.g. "us-west-2:down,us-east-1:slow". Unknown regions and faults are errors. */
export function parseFaults(spec: string | undefined, regions: string[]): Record<string, RegionFault> {
  const out: Record<string, RegionFault> = Object.fromEntries(regions.map((r) => [r, "ok" as RegionFault]));
  for (const raw of (spec ?? "").split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const [region = "", fault = "", ...rest] = entry.split(":").map((s) => s.trim());
    if (rest.length > 0 || !isFault(fault) || !regions.includes(region)) {
      throw new Error(
        `CAPSTAN_SIM_FAULTS: bad entry "${entry}": expected <region>:<fault> with region one of ${regions.join(", ")} and fault one of ${REGION_FAULTS.join(", ")}`,
      );
    }
    out[region] = fault;
  }
  return out;
}

export function checkFault(region: string, fault: RegionFault | undefined, regions: string[]): RegionFault {
  if (!regions.includes(region))
    throw new Error(`setFault: unknown region "${region}" (expected one of ${regions.join(", ")})`);
  if (fault === undefined || !isFault(fault))
    throw new Error(
      `setFault: unknown fault "${String(fault)}" (expected one of ${REGION_FAULTS.join(", ")})`,
    );
  return fault;
}

export type Service = "autoscaling" | "monitoring";

/** Behave as the faulty region would before the call does its work: wait, or throw. */
export async function enactFault(
  fault: RegionFault,
  region: string,
  service: Service,
  slowMs: number,
  signal?: AbortSignal,
): Promise<void> {
  if (signal?.aborted) throw aborted(signal, region, service);
  if (fault === "down") {
    throw new BackendError("NetworkingError", `connect ECONNREFUSED ${service}.${region}.amazonaws.com:443`, {
      regional: true,
      answered: false,
    });
  }
  if (fault === "throttled") {
    throw new BackendError("Throttling", "Rate exceeded", { httpStatus: 400, regional: true });
  }
  if (fault === "slow") await wait(slowMs, region, service, signal);
}

function wait(ms: number, region: string, service: Service, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted(signal, region, service));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** A caller's timeout (AbortSignal.timeout) reads as a timeout; any other abort as an abort. */
function aborted(signal: AbortSignal | undefined, region: string, service: Service): BackendError {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === "TimeoutError") {
    return new BackendError("TimeoutError", `Request to ${service}.${region}.amazonaws.com timed out`, {
      regional: true,
      answered: false,
    });
  }
  return new BackendError("AbortError", "Request aborted", { regional: true, answered: false });
}
