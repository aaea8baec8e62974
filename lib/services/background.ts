import "server-only";
import { reconcilePending, type ReconcileSummary } from "@/lib/audit";
import { getBackend } from "@/lib/backends";
import { getConfig } from "@/lib/config";
import { getStore } from "@/lib/store";
import type { ChangeEffect } from "@/lib/audit/types";
import { deliveriesNow } from "@/lib/notify/jobs";
import { evaluateEffects } from "./capacity/change-effect";
import { revertsNow } from "./reverts";

// Background work (reconciling intents left without an outcome, running due reverts, delivering
// notifications, judging settled changes) runs on one replica at a
// time: each run takes the job's lock without waiting, and a replica that finds it taken skips
// that turn. A replica killed mid-change leaves a pending row; whichever replica runs the job
// next reconciles it once that pool's lock is free, which it is as soon as the dead replica's
// database connection is gone.

export const DEFAULT_BACKGROUND_SECONDS = 10;

/** CAPSTAN_BACKGROUND_SECONDS: how often the background jobs run (tests: 1). */
export function backgroundIntervalMs(env: Record<string, string | undefined> = process.env): number {
  const s = Number(env.CAPSTAN_BACKGROUND_SECONDS);
  return (Number.isFinite(s) && s > 0 ? s : DEFAULT_BACKGROUND_SECONDS) * 1000;
}

let running: Promise<ReconcileSummary | null> | null = null;

/** Reconcile now, unless another replica (or this one) is already at it. Never throws. */
export function reconcileNow(): Promise<ReconcileSummary | null> {
  running ??= (async () => {
    const store = getStore();
    const r = await store.tryWithLock("job:reconcile", () =>
      reconcilePending(getBackend(), {
        store: store.audit,
        locks: store,
        timeoutMs: getConfig().refresh.timeoutMs,
      }),
    );
    return r.ran ? r.value : null;
  })()
    .catch((e: unknown) => {
      console.error(`capstan: reconciliation failed (${e instanceof Error ? e.message : String(e)})`);
      return null;
    })
    .finally(() => {
      running = null;
    });
  return running;
}

let judging: Promise<ChangeEffect[] | null> | null = null;

/**
 * Judge settled changes ("did it help?") now, unless another replica (or this one) is at it.
 * Never throws. Each effect is stored once, whichever replica gets there first.
 */
export function evaluateEffectsNow(): Promise<ChangeEffect[] | null> {
  judging ??= (async () => {
    const store = getStore();
    const r = await store.tryWithLock("job:effects", () =>
      evaluateEffects({ backend: getBackend(), store: store.audit }),
    );
    return r.ran ? r.value : null;
  })()
    .catch((e: unknown) => {
      console.error(`capstan: change effects not evaluated (${e instanceof Error ? e.message : String(e)})`);
      return null;
    })
    .finally(() => {
      judging = null;
    });
  return judging;
}

/** Start the periodic jobs of this server process; returns a stop function. */
export function startBackgroundWork(intervalMs = backgroundIntervalMs()): () => void {
  const timer = setInterval(() => {
    void reconcileNow();
    void revertsNow();
    void deliveriesNow();
    void evaluateEffectsNow();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
