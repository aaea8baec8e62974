import "server-only";
import { dataDir, getConfig, type FleetConfig } from "@/lib/config";
import type { FleetBackend } from "@/lib/fleet/types";
import { getStore, type DocumentStore } from "@/lib/store";
import { createAwsBackend } from "./aws";
import {
  createSimulatedBackend,
  type RegionFault,
  type SharedSimState,
  type SimulatedBackend,
} from "./simulated";
import type { SimState } from "./simulated/store";

// `npm run discover` reads the account itself (read-only), before any configuration exists.
export { discoverAccount } from "./aws/discovery";

// The one factory that picks a backend from configuration. Memoised per server process.
const holder = globalThis as unknown as { __capstanBackend?: FleetBackend };

export function getBackend(): FleetBackend {
  holder.__capstanBackend ??= createBackend(getConfig());
  return holder.__capstanBackend;
}

export function createBackend(
  cfg: FleetConfig,
  env: Record<string, string | undefined> = process.env,
  documents: DocumentStore | null = getStore().documents,
): FleetBackend {
  if (cfg.backend === "simulated") {
    return createSimulatedBackend(cfg, {
      dataDir: dataDir(env),
      faults: env.CAPSTAN_SIM_FAULTS,
      shared: documents ? sharedSimState(documents) : undefined,
    });
  }
  return createAwsBackend(cfg, env);
}

/** The simulated fleet in the shared store: two replicas show and change the same fleet. */
export function sharedSimState(documents: DocumentStore): SharedSimState {
  return {
    transact: (fn) => documents.update<SimState, ReturnType<typeof fn>["result"]>("simulated-fleet", fn),
    readFaults: () => documents.read<Record<string, RegionFault>>("simulated-faults"),
    mergeFaults: (change) =>
      documents.update<Record<string, RegionFault>, void>("simulated-faults", (current) => ({
        next: { ...current, ...change },
        result: undefined,
      })),
  };
}

export function setBackendForTests(backend: FleetBackend | undefined): void {
  holder.__capstanBackend = backend;
}

export function simulatedBackend(): SimulatedBackend | null {
  const b = getBackend();
  return b.kind === "simulated" ? (b as SimulatedBackend) : null;
}
