import "server-only";
import { getBackend } from "@/lib/backends";
import { ConfigError, getConfig, type FleetConfig } from "@/lib/config";
import { notifyEnvProblems } from "@/lib/notify/config";
import { startBackgroundWork } from "@/lib/services/background";
import { getStore, type Store } from "@/lib/store";
import type { Env } from "@/lib/config/load";

/**
 * Server start: load and validate the configuration, including the unsafe combinations
 * lib/config/safety.ts refuses. Throws the ConfigError; `startOrExit` turns it into a message and
 * a non-zero exit so the server never serves with a broken or unsafe configuration.
 */
export function checkStartup(env: Env = process.env): FleetConfig {
  const cfg = getConfig(env);
  // Notification targets name variables; a missing one stops the start, naming the field (never a value).
  const notify = notifyEnvProblems(cfg, env);
  if (notify.length > 0) throw new ConfigError(env.CAPSTAN_CONFIG || "fleet.config.yaml", notify);
  if (cfg.auth.alb?.testKeyBaseUrl && env.NODE_ENV === "production") {
    console.warn(
      `capstan: WARNING auth.alb.testKeyBaseUrl is set (CAPSTAN_ALLOW_TEST_KEYS=1): ALB keys come from ${cfg.auth.alb.testKeyBaseUrl}. Test runs only.`,
    );
  }
  return cfg;
}

export function startOrExit(
  env: Env = process.env,
  exit: (code: number) => never = process.exit,
): FleetConfig {
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

/**
 * Open the store (SQLite, or PostgreSQL with CAPSTAN_DATABASE_URL) and run its migrations — under
 * a database lock, so replicas that start together migrate once — then start the background
 * jobs. A database that cannot be reached stops the start, naming the host, never the password.
 */
export async function openStoreOrExit(exit: (code: number) => never = process.exit): Promise<void> {
  try {
    const store = getStore();
    await store.ready;
    await store.ping(5_000);
    console.log(`capstan: store ${store.kind} at ${store.location}`);
    closeStoreOnShutdown(store);
    startBackgroundWork();
  } catch (e) {
    console.error(
      `capstan: refusing to start: the store cannot be opened.\n${e instanceof Error ? e.message : String(e)}`,
    );
    exit(1);
  }
}

/**
 * A clean stop (SIGTERM from the orchestrator, Ctrl-C) checkpoints and closes the store, so the
 * SQLite file alone holds every row (a backup of it is complete). The close is synchronous for
 * SQLite, so it also runs from the 'exit' event, whoever calls process.exit.
 */
export function closeStoreOnShutdown(
  store: Store,
  proc: Pick<NodeJS.Process, "once" | "listenerCount" | "exit"> = process,
): void {
  let closed = false;
  const closeNow = () => {
    if (closed) return;
    closed = true;
    try {
      if (store.kind === "sqlite") store.audit.close();
      else void store.close();
    } catch (e) {
      console.error(`capstan: closing the store failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  proc.once("exit", closeNow);
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    // Only when nobody else (Next's own server) handles the signal: then exit is ours to call.
    if (proc.listenerCount(signal) > 0) continue;
    proc.once(signal, () => {
      closeNow();
      proc.exit(0);
    });
  }
}
