// Serialisable view models: what services return and what components (client ones included,
// by `import type`) draw. Plain numbers, ISO strings, [epochMs, value] pairs (the pool page, at full
// resolution) and { start, step, values } series (the overview, downsampled for sparklines).
import type { Instance, Point, RegionRole, ScalingActivity, Tier } from "./types";

export type PoolStatus = "healthy" | "scaling" | "degraded" | "stale" | "error" | "missing";
export type RegionStatus = "ok" | "stale" | "error";

/** Did a change help? `pending` and `unknown` while it cannot be told yet / at all. */
export type EffectVerdict = "helped" | "no change" | "worse" | "pending" | "unknown";

/**
 * A series on a regular grid: value i is at `start + i × step` (epoch ms); null is a gap (no
 * data), never a zero. An empty series is `{ start: 0, step: 0, values: [] }`.
 */
export interface WireSeries {
  start: number;
  step: number;
  values: (number | null)[];
}

/** One overview metric: the figure now (null: unknown or too old) and its sparkline. */
export interface SeriesView extends WireSeries {
  latest: number | null;
}

export interface PoolSummary {
  id: string;
  /** The pending revert of a time-boxed change in this region, if any. */
  revert?: RevertView | null;
  name: string;
  tier: Tier;
  group: string | null;
  min: number;
  max: number;
  desired: number;
  inService: number;
  pending: number;
  terminating: number;
  unhealthy: number;
  status: PoolStatus;
  /** Why the status is what it is, in words ("p90 1,480 ms over 1,200 ms target"). */
  statusReason?: string;
  hasScalingPolicies: boolean;
  hasScheduledActions: boolean;
  cpu: SeriesView;
  pageLoad: (SeriesView & { unit: "ms" }) | null;
  backlog: SeriesView | null;
}

export interface RegionError {
  code: string;
  message: string;
}

export interface RegionView {
  region: string;
  role: RegionRole;
  status: RegionStatus;
  error?: RegionError;
  /** The region answered, but its metric series could not be read (or are stale). */
  metricsError?: RegionError;
  /** ISO time the capacity data was fetched (null: never reached). */
  fetchedAt: string | null;
  pools: PoolSummary[];
}

export interface FleetView {
  generatedAt: string;
  range: string;
  period: number;
  regions: RegionView[];
}

export interface CapacityMarker {
  at: number;
  actor: string;
  from: number;
  to: number;
  reason: string;
  /** Did it help? (pending until the new instances have settled) */
  effect?: { verdict: EffectVerdict; summary: string };
}

/** A time-boxed change's pending way back, as the JSON API and the pages show it. */
export interface RevertView {
  /** Desired goes back to this value… */
  to: number;
  /** …at this time (ISO-8601 UTC)… */
  at: string;
  /** …undoing this person's change… */
  by: string;
  /** …recorded under this audit id. */
  changeId: string;
  /** The value the revert expects to find (the bumped value). */
  from: number;
}

export interface PoolDetail {
  generatedAt: string;
  /** The charts' time axis [start, end] in epoch ms: the whole range up to now, so a change made a moment ago is on it. */
  domain: [number, number];
  region: string;
  role: RegionRole;
  otherRegion: string;
  range: string;
  period: number;
  status: RegionStatus;
  error?: RegionError;
  fetchedAt: string | null;
  pool: PoolSummary;
  instanceType: string;
  hourlyPrice: number;
  guardrails: { floor: number | null; maxStep: number | null };
  /** The pending revert of a time-boxed change, or null. */
  revert: RevertView | null;
  targets: { pageLoadP90Ms?: number; cpuPercent: number; backlog?: number };
  series: {
    pageLoadP50: Point[] | null;
    pageLoadP90: Point[] | null;
    cpuAvg: Point[];
    cpuMax: Point[];
    backlog: Point[] | null;
    /** Load balancer requests per period (metrics.requestCount, or from the target group); null: none. */
    requests: Point[] | null;
    desired: Point[];
    inService: Point[];
  };
  partial: boolean;
  /** Metric series could not be read: the graphs show the last good data, or none. */
  metricsError?: RegionError;
  /** Scaling activities could not be read (the table is then empty, not "no activities"). */
  activitiesError?: RegionError;
  /** Suggested desired capacity from measured load and the pool's targets (null: none now). */
  suggestion: Suggestion | null;
  markers: CapacityMarker[];
  activities: ScalingActivity[];
  instances: Instance[];
  /** Instance id → CPU % over the last hour. */
  instanceCpu: Record<string, Point[]>;
  /** EC2's instance details or the per-instance CPU could not be read. */
  instancesError?: RegionError;
  /** The page-load series' source in this region, and whether it came from the group's target group. */
  pageLoadSource: {
    namespace: string;
    metric: string;
    dimensions: Record<string, string>;
    from: "configuration" | "target group";
  } | null;
  /** What this dashboard costs in CloudWatch per day at its refresh rate (GetMetricData); the per-instance CPU included. */
  cloudwatch: {
    seriesPerRefresh: number;
    metricsPerDay: number;
    usdPerDay: number;
    instanceSeries: number;
    instanceUsdPerDay: number;
  };
}

export type Verdict = "ready" | "scale" | "cannot" | "unknown";

export interface StandbyPoolView {
  id: string;
  name: string;
  tier: Tier;
  primary: { desired: number; inService: number; cpu: number | null } | null;
  standby: {
    desired: number;
    inService: number;
    max: number;
    unhealthy: number;
    metricAgeMs: number | null;
  } | null;
  ratio: number | null;
  needed: number | null;
  verdict: Verdict;
  explanation: string;
}

export interface StandbyView {
  generatedAt: string;
  primary: RegionView["region"];
  standby: RegionView["region"];
  regions: {
    region: string;
    role: RegionRole;
    status: RegionStatus;
    error?: RegionError;
    fetchedAt: string | null;
  }[];
  overall: Verdict;
  overallExplanation: string;
  pools: StandbyPoolView[];
}

/**
 * The smallest desired capacity that meets the pool's p90 and CPU targets, predicted by the
 * queueing model fitted to measured load (`predicted`); null `predicted` when the model could not
 * be fitted and the suggestion fell back to the CPU rule (the reason says why).
 */
export interface Suggestion {
  desired: number;
  reason: string;
  predicted: { cpuPercent: number; pageLoadP90Ms?: number; backlogDrainMinutes?: number | null } | null;
}

/** GET /api/pools/{region}/{pool}/predict?desired=N */
export interface PredictionView {
  desired: number;
  cpuPercent: number;
  pageLoadP90Ms?: number;
  backlogDrainMinutes?: number | null;
  saturated: boolean;
  /** The measured figures now, to compare with. */
  now: {
    desired: number;
    inService: number;
    cpuPercent: number | null;
    pageLoadP90Ms: number | null;
    backlog: number | null;
  };
  /** The estimates used and the window they came from. */
  basis: {
    arrivalsPerSecond: number;
    throughputPerInstance: number;
    inService: number;
    baselineCpuPercent: number;
    cpuFitR2: number;
    requestsPerPage?: number;
    fixedMs?: number;
    p90FitErrorPercent?: number;
    backlog?: number;
    window: { from: string; to: string; minutes: number; unsaturatedMinutes: number };
    source: string;
  };
}
