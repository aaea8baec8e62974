import { getBackend } from "@/lib/backends";
import { getConfig, type FleetConfig } from "@/lib/config";
import type { Env } from "@/lib/config/load";

/**
 * Server start: load and validate the configuration, including the unsafe combinations
 * lib/auth/safety.ts refuses. Throws the ConfigError; `startOrExit` turns it into a message and
 * a non-zero exit so the server never serves with a broken or unsafe configuration.
 */
export function checkStartup(env: Env = process.env): FleetConfig {
  const cfg = getConfig(env);
  if (cfg.auth.alb?.testKeyBaseUrl && env.NODE_ENV === "production") {
    console.warn(`capstan: WARNING auth.alb.testKeyBaseUrl is set (CAPSTAN_ALLOW_TEST_KEYS=1): ALB keys come from ${cfg.auth.alb.testKeyBaseUrl}. Test runs only.`);
  }
  return cfg;
}

export function startOrExit(env: Env = process.env, exit: (code: number) => never = process.exit): FleetConfig {
  try {
    const cfg = checkStartup(env);
    // The backend too: a malformed CAPSTAN_SIM_FAULTS or a corrupt simulated-fleet state file must
    // stop the start, not surface as an error on the first request.
    getBackend();
    return cfg;
  } catch (e) {
    console.error(`capstan: refusing to start.\n${e instanceof Error ? e.message : String(e)}`);
    return exit(1);
  }
}
