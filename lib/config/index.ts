import "server-only";
import path from "node:path";
import { assertSafeConfig } from "./safety";
import { loadConfigFile, type Env } from "./load";
import type { FleetConfig, PoolConfig } from "./schema";

export type { FleetConfig, PoolConfig } from "./schema";
export { ConfigError, parseConfig } from "./load";

// Loaded once per server process; a bad file throws on first use, which instrumentation.ts
// triggers at start-up so the server never serves with a broken configuration.
const holder = globalThis as unknown as { __capstanConfig?: FleetConfig };

export function getConfig(env: Env = process.env): FleetConfig {
  if (!holder.__capstanConfig) {
    const cfg = loadConfigFile(env);
    assertSafeConfig(cfg, env); // unsafe combinations (dev sign-in with aws, …) never serve
    holder.__capstanConfig = cfg;
  }
  return holder.__capstanConfig;
}

/** Tests swap configuration in-process. */
export function setConfigForTests(cfg: FleetConfig | undefined): void {
  holder.__capstanConfig = cfg;
}

export function dataDir(env: Env = process.env): string {
  return path.resolve(/*turbopackIgnore: true*/ env.CAPSTAN_DATA_DIR || "data");
}

export function regionsOf(cfg: FleetConfig): { region: string; role: "primary" | "standby" }[] {
  return [
    { region: cfg.regions.primary, role: "primary" },
    { region: cfg.regions.standby, role: "standby" },
  ];
}

export function findPool(cfg: FleetConfig, id: string): PoolConfig | undefined {
  return cfg.pools.find((p) => p.id === id);
}
