import { seedGroups } from "@/test/support/aws";
import { choosePeriod, RANGES } from "@/lib/metrics/period";
import { startCluster } from "../e2e/replicas/cluster";
import { benchConfig, benchGroups, REGION_LIST } from "./fleet";
import { floorOf } from "./upstream";

// The replicas dimension of the benchmark: 1, 2 and 3 standalone servers on one PostgreSQL
// database (a fresh one per measurement), `backend: aws` against moto through the counting proxy
// (e2e/replicas/cluster.ts, the harness the replica end-to-end tests use). The same viewers poll
// GET /api/fleet spread over the replicas for a few capacity refreshes; every AWS call any replica
// makes is counted at the proxy. Target: the same floor whatever the replica count —
// ceil(groups/100) describes per region per capacity refresh and ceil(series/500) GetMetricData
// per region per metric period — because the read cache is shared, not per process.

export const REPLICA_COUNTS = [1, 2, 3];
const POOLS = 8;
const VIEWERS = 10;
/** The smallest capacity refresh the configuration accepts, to see several refreshes quickly. */
const CAPACITY_SECONDS = 5;
const REFRESHES = 2;
const RANGE = "1h";
const VIEWER_PAUSE_MS = 1000;

export interface ReplicasMeasure {
  replicas: number;
  viewers: number;
  pools: number;
  capacitySeconds: number;
  metricsPeriodSeconds: number;
  /** How long the viewers polled. */
  seconds: number;
  /**
   * Capacity refreshes counted per region: describes in [first describe, + capacityRefreshes ×
   * capacitySeconds), so the count starts at a refresh whatever the cache's phase at start-up.
   */
  capacityRefreshes: number;
  /** Metric periods begun while the viewers polled (ceil(seconds / period)): metric refreshes due. */
  metricRefreshes: number;
  requests: number;
  failedRequests: number;
  startSeconds: number;
  perRegion: Record<
    string,
    {
      /** In the capacity window (see capacityRefreshes). */
      describes: number;
      /** While the viewers polled. */
      getMetricData: number;
      other: number;
      describesPerRefresh: number;
      getMetricDataPerRefresh: number;
      /** The floor: ceil(groups/100) describes, ceil(series/500) GetMetricData, per refresh. */
      floorDescribes: number;
      floorGetMetricData: number;
    }
  >;
}

export interface ReplicaCheck {
  target: string;
  ok: boolean;
  detail: string;
}

/** Measures each replica count in turn (each on its own emulator, proxy and database). */
export async function measureReplicas(
  counts: number[] = REPLICA_COUNTS,
  log: (m: string) => void = () => undefined,
): Promise<ReplicasMeasure[]> {
  const out: ReplicasMeasure[] = [];
  for (const n of counts) {
    log(`replicas: ${n} standalone server${n > 1 ? "s" : ""} on one PostgreSQL database, ${VIEWERS} viewers`);
    out.push(await measureOne(n));
  }
  return out;
}

async function measureOne(replicas: number): Promise<ReplicasMeasure> {
  const base = benchConfig(POOLS);
  const config = {
    ...base,
    refresh: { ...base.refresh, capacitySeconds: CAPACITY_SECONDS, timeoutMs: 5000 },
  };
  const floor = floorOf(config);
  const period = choosePeriod(RANGES[RANGE]);
  const t0 = performance.now();
  const cluster = await startCluster({
    name: `bench_replicas${replicas}`,
    replicas,
    config,
    seed: (url) =>
      Promise.all(REGION_LIST.map((region) => seedGroups(url, region, benchGroups(config, region)))),
  });
  const startSeconds = (performance.now() - t0) / 1000;
  try {
    // Counted from the first viewer's first request: the metric series are not loaded yet anywhere,
    // so the run holds exactly one metric refresh per region (the period is longer than it).
    // Capacity was loaded by the start-up health checks, at some phase: the viewers poll one
    // interval longer than the REFRESHES intervals counted from the first describe.
    cluster.proxy.reset();
    const intervalMs = CAPACITY_SECONDS * 1000;
    const windowMs = REFRESHES * intervalMs;
    const start = Date.now();
    const latest = start + windowMs + intervalMs;
    /** Until REFRESHES intervals after the first describe in every region (at most `latest`). */
    const end = () => {
      const firsts = REGION_LIST.map(
        (region) =>
          cluster.proxy.calls().find((c) => c.region === region && c.action === "DescribeAutoScalingGroups")
            ?.at,
      );
      return firsts.every((t) => t !== undefined)
        ? Math.min(latest, Math.max(...(firsts as number[])) + windowMs)
        : latest;
    };
    let requests = 0;
    let failedRequests = 0;
    await Promise.all(
      Array.from({ length: VIEWERS }, async (_, v) => {
        const api = cluster.api(v % replicas, "viewer");
        // Viewers start a little apart, as people do, over the first second.
        await new Promise((r) => setTimeout(r, (v * VIEWER_PAUSE_MS) / VIEWERS));
        while (Date.now() < end()) {
          const res = await api
            .get(`/api/fleet?range=${RANGE}`, AbortSignal.timeout(10_000))
            .catch(() => ({ status: 0 }));
          requests++;
          if (res.status !== 200) failedRequests++;
          await new Promise((r) => setTimeout(r, Math.min(VIEWER_PAUSE_MS, Math.max(0, end() - Date.now()))));
        }
      }),
    );
    const seconds = (Date.now() - start) / 1000;
    const calls = cluster.proxy.calls().filter((c) => c.at >= start);
    const capacityRefreshes = REFRESHES;
    const metricRefreshes = Math.ceil((Date.now() - start) / (period * 1000));
    const perRegion: ReplicasMeasure["perRegion"] = {};
    for (const region of REGION_LIST) {
      const mine = calls.filter((c) => c.region === region);
      const describeTimes = mine
        .filter((c) => c.action === "DescribeAutoScalingGroups")
        .map((c) => c.at)
        .sort((a, b) => a - b);
      const first = describeTimes[0] ?? 0;
      const describes = describeTimes.filter((t) => t < first + windowMs).length;
      const getMetricData = mine.filter((c) => c.action === "GetMetricData").length;
      perRegion[region] = {
        describes,
        getMetricData,
        other: mine.length - describeTimes.length - getMetricData,
        describesPerRefresh: describes / capacityRefreshes,
        getMetricDataPerRefresh: getMetricData / metricRefreshes,
        floorDescribes: floor.perRegion[region]!.describe,
        floorGetMetricData: floor.perRegion[region]!.getMetricData,
      };
    }
    return {
      replicas,
      viewers: VIEWERS,
      pools: POOLS,
      capacitySeconds: CAPACITY_SECONDS,
      metricsPeriodSeconds: period,
      seconds,
      capacityRefreshes,
      metricRefreshes,
      requests,
      failedRequests,
      startSeconds,
      perRegion,
    };
  } finally {
    await cluster.stop();
  }
}

/**
 * Per replica count: describes at the floor per refresh over the counted refreshes (one fewer
 * allowed: a refresh is due only once a viewer asks after the interval), GetMetricData exactly at
 * the floor, every request answered; and describes with N replicas no more than with one.
 */
export function replicaChecks(ms: ReplicasMeasure[]): ReplicaCheck[] {
  const checks: ReplicaCheck[] = [];
  const one = ms.find((m) => m.replicas === 1);
  for (const m of ms) {
    const p = `${m.replicas} replica${m.replicas > 1 ? "s" : ""}, ${m.viewers} viewers`;
    const regions = Object.entries(m.perRegion);
    const limit = (r: ReplicasMeasure["perRegion"][string]) => r.floorDescribes * m.capacityRefreshes;
    checks.push({
      target: `${p}: describes per region per capacity refresh = floor (shared cache)`,
      ok:
        m.failedRequests === 0 &&
        regions.every(
          ([, r]) => r.describes >= r.floorDescribes * (m.capacityRefreshes - 1) && r.describes <= limit(r),
        ),
      detail:
        regions
          .map(
            ([region, r]) =>
              `${region} ${r.describes} in ${m.capacityRefreshes} refresh intervals (floor ${r.floorDescribes}/refresh: ≤ ${limit(r)})`,
          )
          .join("; ") + (m.failedRequests ? `; ${m.failedRequests} of ${m.requests} requests failed` : ""),
    });
    checks.push({
      target: `${p}: GetMetricData per region per metric period = floor`,
      ok: regions.every(([, r]) => r.getMetricData === r.floorGetMetricData * m.metricRefreshes),
      detail: regions
        .map(
          ([region, r]) => `${region} ${r.getMetricData} (floor ${r.floorGetMetricData * m.metricRefreshes})`,
        )
        .join("; "),
    });
    if (one && m !== one) {
      checks.push({
        target: `${p}: no more describes than 1 replica`,
        ok: regions.every(([region, r]) => r.describes <= one.perRegion[region]!.describes),
        detail: regions
          .map(([region, r]) => `${region} ${r.describes} vs ${one.perRegion[region]!.describes}`)
          .join("; "),
      });
    }
  }
  return checks;
}
