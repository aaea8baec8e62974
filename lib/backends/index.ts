import { dataDir, getConfig, type FleetConfig } from "@/lib/config";
import type { FleetBackend } from "@/lib/fleet/types";
import { createAwsBackend } from "./aws";
import { createSimulatedBackend, type SimulatedBackend } from "./simulated";

// The one factory that picks a backend from configuration. Memoised per server process.
const holder = globalThis as unknown as { __capstanBackend?: FleetBackend };

export function getBackend(): FleetBackend {
  holder.__capstanBackend ??= createBackend(getConfig());
  return holder.__capstanBackend;
}

export function createBackend(cfg: FleetConfig, env: Record<string, string | undefined> = process.env): FleetBackend {
  if (cfg.backend === "simulated") {
    return createSimulatedBackend(cfg, { dataDir: dataDir(env), faults: env.CAPSTAN_SIM_FAULTS });
  }
  return createAwsBackend(cfg, env);
}

export function setBackendForTests(backend: FleetBackend | undefined): void {
  holder.__capstanBackend = backend;
}

export function simulatedBackend(): SimulatedBackend | null {
  const b = getBackend();
  return b.kind === "simulated" ? (b as SimulatedBackend) : null;
}
