import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FleetConfig } from "@/lib/config/schema";
import { BackendError, type MetricQuery, type Statistic } from "@/lib/fleet/types";
import { buildQuery, poolMetricDefs, type MetricKind } from "@/lib/metrics/queries";
import { shippedConfig } from "../config";
import {
  createSimulatedBackend,
  type SimulatedBackend,
  type SimulatedOptions,
} from "@/lib/backends/simulated";

// Shared by the simulated backend's tests: the shipped reference fleet, a temporary data
// directory, a clock the test moves by hand, queries built the way the app builds them, and the
// BackendError a refused call rejects with.

export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;
/** The reference fleet's regions (primary, standby) and the `app` pool's primary group. */
export const EAST = "us-east-1";
export const WEST = "us-west-2";
export const APP = "tave-prod-app";
/** Wednesday 11 March 2026, 15:00 EDT: a weekday afternoon, near the daily peak. */
export const WEEKDAY_PEAK = Date.parse("2026-03-11T19:00:00Z");

export function referenceConfig(overrides: (cfg: FleetConfig) => void = () => {}): FleetConfig {
  const cfg = shippedConfig();
  overrides(cfg);
  return cfg;
}

export interface Harness {
  backend: SimulatedBackend;
  dataDir: string;
  clock: { t: number };
  /** Move the injected clock forward. */
  advance(ms: number): void;
  /** A second backend on the same data directory and clock: a server restart. */
  restart(): SimulatedBackend;
}

const dirs: string[] = [];

export function tempDataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "capstan-sim-"));
  dirs.push(dir);
  return dir;
}

export function cleanupDataDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function harness(
  cfg = referenceConfig(),
  start = WEEKDAY_PEAK,
  opts: Partial<SimulatedOptions> = {},
): Harness {
  const dataDir = opts.dataDir ?? tempDataDir();
  const clock = { t: start };
  const make = () => createSimulatedBackend(cfg, { dataDir, now: () => clock.t, ...opts });
  return {
    backend: make(),
    dataDir,
    clock,
    advance: (ms) => {
      clock.t += ms;
    },
    restart: make,
  };
}

/** The query the app would send for a pool's metric kind, optionally with another statistic. */
export function poolQuery(
  cfg: FleetConfig,
  region: string,
  poolId: string,
  kind: MetricKind,
  period = 60,
  statistic?: Statistic,
): MetricQuery {
  const pool = cfg.pools.find((p) => p.id === poolId);
  const def = pool && poolMetricDefs(pool)[kind];
  const group = pool?.groups?.[region];
  const q =
    def && group ? buildQuery(def, `${kind}_${poolId.replaceAll("-", "_")}`, region, group, period) : null;
  if (!q) throw new Error(`no ${kind} query for ${poolId} in ${region}`);
  return statistic ? { ...q, statistic } : q;
}

/** The BackendError `p` rejects with; fails the test if it resolves or rejects with anything else. */
export async function rejection(p: Promise<unknown>): Promise<BackendError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof BackendError)) throw new Error(`expected a BackendError, got ${String(e)}`);
  return e;
}

/** The numeric values of a series, gaps dropped. */
export function values(points: [number, number | null][]): number[] {
  return points.flatMap(([, v]) => (v === null ? [] : [v]));
}

export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
