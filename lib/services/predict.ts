import "server-only";
import { getConfig, regionsOf, type FleetConfig, type PoolConfig } from "@/lib/config";
import { authorize, type Identity } from "@/lib/auth/roles";
import { estimate, EstimateRefused, predict, type Estimate, type Sample } from "@/lib/fleet/estimate";
import type { MetricQuery } from "@/lib/fleet/types";
import type { PoolSummary, PredictionView, Suggestion } from "@/lib/fleet/views";
import { buildQuery, poolMetricDefs, toDisplay } from "@/lib/metrics/queries";
import { NotFoundError, PredictionUnavailableError, ValidationError } from "@/lib/errors";
import { scaleInHold, type PeakResult, type RecentPeak } from "./headroom";
import { readRegion } from "./read-fleet";
import { poolsInRegion, readGroups, readSeriesByPeriod } from "./region-reads";

// Predictions from the shared queueing model, fitted per pool and region to what is measured:
// RequestCount (λ), CPU and the in-service count (μ, n), the p90 (the page model). The same path
// on AWS and in the simulation — never the simulation's hidden parameters.

/** The estimate reads the last two hours, one-minute points (cached for a minute, one batch). */
const WINDOW_MS = 2 * 3_600_000;
const PERIOD = 60;

export type ModelResult = { ok: true; estimate: Estimate } | { ok: false; reason: string };

export async function poolModel(
  region: string,
  pool: PoolConfig,
  groupName: string,
  cfg: FleetConfig = getConfig(),
): Promise<ModelResult> {
  const defs = poolMetricDefs(pool);
  if (!defs.requestCount) return { ok: false, reason: "no request metric configured (metrics.requestCount)" };
  const inService = {
    namespace: "AWS/AutoScaling",
    metric: "GroupInServiceInstances",
    dimensions: { AutoScalingGroupName: "{group}" },
    statistic: "Average" as const,
    unit: "Count" as const,
    period: 60 as const,
  };
  const kinds = {
    cpu: defs.cpu,
    requests: defs.requestCount,
    p90: pool.tier === "web" ? defs.pageLoad : undefined,
    backlog: pool.tier === "worker" ? defs.backlog : undefined,
    inService,
  };
  const queries: MetricQuery[] = [];
  for (const [k, def] of Object.entries(kinds)) {
    const q = def && buildQuery(def, `m_${k}`, region, groupName, PERIOD);
    if (q) queries.push(q);
  }
  const now = Date.now();
  const r = await readSeriesByPeriod(`model:${pool.id}`, region, queries, WINDOW_MS, now, cfg);
  if (!r.value)
    return {
      ok: false,
      reason: `metrics unavailable${r.error instanceof Error ? `: ${r.error.message}` : ""}`,
    };
  const byId = new Map(r.value.map((s) => [s.id, s.points]));
  const at = (id: string) => new Map((byId.get(id) ?? []).map(([t, v]) => [t, v]));
  const cpu = at("m_cpu");
  const req = at("m_requests");
  const p90 = at("m_p90");
  const backlog = at("m_backlog");
  const n = at("m_inService");
  // Minutes that have closed: the one in progress holds a partial count.
  const times = [...req.keys()].filter((t) => t + PERIOD * 1000 <= now).sort((a, b) => a - b);
  const samples: Sample[] = times.map((t) => ({
    t,
    requests: req.get(t) ?? null,
    cpu: cpu.get(t) ?? null,
    inService: n.get(t) ?? null,
    p90Ms: kinds.p90 ? nullable(p90.get(t), (v) => toDisplay("pageLoad", kinds.p90!.unit, v)) : undefined,
    backlog: kinds.backlog ? (backlog.get(t) ?? null) : undefined,
  }));
  try {
    return { ok: true, estimate: estimate(samples, pool.tier) };
  } catch (e) {
    if (e instanceof EstimateRefused) return { ok: false, reason: e.message };
    throw e;
  }
}

const nullable = (v: number | null | undefined, f: (v: number) => number) =>
  v === null || v === undefined ? null : f(v);

export async function readPrediction(
  identity: Identity | null,
  region: string,
  poolId: string,
  desiredParam: string | null,
): Promise<PredictionView> {
  authorize(identity, "fleet:read", { region, pool: poolId });
  const desired = Number(desiredParam);
  if (
    desiredParam === null ||
    desiredParam.trim() === "" ||
    !Number.isInteger(desired) ||
    desired < 0 ||
    desired > 10_000
  ) {
    throw new ValidationError("Check the fields.", { desired: "expected a whole number from 0 to 10000" });
  }
  const cfg = getConfig();
  if (!regionsOf(cfg).some((r) => r.region === region)) throw new NotFoundError(`Unknown region ${region}.`);
  const groups = await readGroups(region, cfg);
  const entry = poolsInRegion(cfg, groups.value).find((p) => p.pool.id === poolId);
  if (!entry) throw new NotFoundError(`Unknown pool ${poolId} in ${region}.`);
  if (!entry.group) throw new NotFoundError(`No group for ${poolId} in ${region}.`);
  const model = await poolModel(region, entry.pool, entry.group.groupName, cfg);
  if (!model.ok)
    throw new PredictionUnavailableError(`No prediction for ${poolId} in ${region}: ${model.reason}.`);
  const inService = entry.group.instances.filter((i) => i.lifecycleState === "InService").length;
  // "Now" as the pool page shows it (the overview's figures, minute in progress included).
  const role = regionsOf(cfg).find((r) => r.region === region)!.role;
  const summary = (await readRegion(region, role, "1h", cfg)).pools.find((p) => p.id === poolId);
  return view(model.estimate, desired, { desired: entry.group.desired, inService }, summary);
}

export function view(
  e: Estimate,
  desired: number,
  group: { desired: number; inService: number },
  summary?: Pick<PoolSummary, "cpu" | "pageLoad" | "backlog">,
): PredictionView {
  const p = predict(e, desired);
  const nowPred = predict(e, e.n);
  return {
    desired,
    cpuPercent: p.cpuPercent,
    ...(p.pageLoadP90Ms !== undefined ? { pageLoadP90Ms: p.pageLoadP90Ms } : {}),
    ...(p.backlogDrainMinutes !== undefined ? { backlogDrainMinutes: p.backlogDrainMinutes } : {}),
    saturated: p.saturated,
    now: {
      desired: group.desired,
      inService: group.inService,
      cpuPercent: summary?.cpu.latest ?? nowPred.cpuPercent,
      pageLoadP90Ms: summary?.pageLoad?.latest ?? e.page?.p90NowMs ?? null,
      backlog: summary?.backlog?.latest ?? e.backlog ?? null,
    },
    basis: {
      arrivalsPerSecond: round(e.lambda, 2),
      throughputPerInstance: round(e.mu, 2),
      inService: e.n,
      baselineCpuPercent: round(e.baselinePercent, 1),
      cpuFitR2: round(e.cpuFit, 3),
      ...(e.page
        ? {
            requestsPerPage: e.page.requestsPerPage,
            fixedMs: e.page.fixedMs,
            p90FitErrorPercent: e.page.errorPercent,
          }
        : {}),
      ...(e.backlog !== undefined ? { backlog: e.backlog } : {}),
      window: {
        from: new Date(e.window.from).toISOString(),
        to: new Date(e.window.to).toISOString(),
        minutes: e.window.minutes,
        unsaturatedMinutes: e.window.unsaturatedMinutes,
      },
      source:
        "RequestCount (arrivals), CPUUtilization and GroupInServiceInstances (throughput per instance), p90 page load (page model)",
    },
  };
}

/** When the backlog is over target, a size must work it off within this many minutes. */
const DRAIN_MINUTES = 15;

/** The fewest instances whose prediction meets the pool's targets, or null when no size up to 10,000 does. */
export function neededFor(e: Estimate, pool: PoolConfig): number | null {
  const t = pool.targets;
  for (let n = 1; n <= 10_000; n++) {
    const r = predict(e, n);
    if (r.saturated || r.cpuPercent > t.cpuPercent) continue;
    if (t.pageLoadP90Ms !== undefined && r.pageLoadP90Ms !== undefined && r.pageLoadP90Ms > t.pageLoadP90Ms)
      continue;
    if (
      t.backlog !== undefined &&
      (e.backlog ?? 0) > t.backlog &&
      (r.backlogDrainMinutes ?? Infinity) > DRAIN_MINUTES
    )
      continue;
    return n;
  }
  return null;
}

/**
 * The smallest desired capacity that meets the p90 and CPU targets (and drains an over-target
 * backlog within 15 minutes), within min–max and the pool's step guardrail — a suggestion an
 * operator can accept as it is. A scale-in keeps what the peak of the lookback window needed
 * (see headroom.ts), so 3 a.m. advice survives the morning. Says so when the targets need more
 * than that allows.
 */
export function suggest(
  e: Estimate,
  pool: PoolConfig,
  p: Pick<PoolSummary, "desired" | "min" | "max">,
  floor: number | null,
  peak: PeakResult | null = null,
): Suggestion {
  const t = pool.targets;
  const needed = neededFor(e, pool);
  const step = pool.guardrails.maxStep;
  const lo = Math.max(p.min, floor ?? 0, step ? p.desired - step : 0);
  const hi = Math.min(p.max, step ? p.desired + step : Infinity);
  // At the peak: its arrivals, and no backlog to work off (that is now's concern).
  const atPeak = (pk: RecentPeak) =>
    neededFor(
      {
        ...e,
        lambda: Math.max(e.lambda, pk.arrivalsPerSecond ?? e.lambda),
        ...(e.backlog !== undefined ? { backlog: 0 } : {}),
      },
      pool,
    );
  const hold = needed === null ? null : scaleInHold(p.desired, needed, peak, atPeak);
  const want = Math.max(needed ?? p.max, hold?.desired ?? 0);
  const desired = Math.min(hi, Math.max(lo, want));
  const r = predict(e, desired);
  const notes: string[] = [];
  const targets = [
    t.pageLoadP90Ms !== undefined ? `p90 ≤ ${fmtMs(t.pageLoadP90Ms)}` : "",
    `CPU ≤ ${t.cpuPercent} %`,
  ]
    .filter(Boolean)
    .join(" and ");
  if (needed === null) notes.push(`no size meets ${targets}`);
  else if (desired === needed) notes.push(`smallest size that meets ${targets}`);
  else if (desired < needed)
    notes.push(
      `${needed} needed to meet ${targets}; ${desired === p.max ? `max is ${p.max}` : `capped at one step of ${step}`}`,
    );
  else if (hold && desired === hold.desired) notes.push(`${needed} would meet ${targets} now; ${hold.why}`);
  else
    notes.push(
      `${needed} would meet ${targets}; kept at ${desired === p.min ? `min ${p.min}` : floor !== null && desired === floor ? `the floor of ${floor}` : `one step of ${step}`}`,
    );
  notes.push(
    `measured ${round(e.lambda, 1)} req/s${hold && peak?.ok && peak.peak.arrivalsPerSecond !== null ? ` (${round(peak.peak.arrivalsPerSecond, 1)} at that peak)` : ""}, ${round(e.mu, 1)} per instance`,
  );
  return {
    desired,
    reason: notes.join("; "),
    predicted: {
      cpuPercent: r.cpuPercent,
      ...(r.pageLoadP90Ms !== undefined ? { pageLoadP90Ms: r.pageLoadP90Ms } : {}),
      ...(r.backlogDrainMinutes !== undefined ? { backlogDrainMinutes: r.backlogDrainMinutes } : {}),
    },
  };
}

const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;
const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
