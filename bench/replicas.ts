import { seedGroups } from "@/lib/backends/aws/testing";
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
const REFRESHES = 3;
const RANGE = "1h";
const VIEWER_PAUSE_MS = 1000;

export interface ReplicasMeasure {
  replicas: number;
  viewers: number;
  pools: number;
  capacitySeconds: number;
  metricsPeriodSeconds: number;
  /** Length of the counted window. */
  seconds: number;
  /** Capacity refreshes in the window (window / capacitySeconds). */
  capacityRefreshes: number;
  /** Metric periods begun in the window (ceil(window / period)): metric refreshes due. */
  metricRefreshes: number;
  requests: number;
  failedRequests: number;
  startSeconds: number;
  perRegion: Record<
    string,
    {
      describes: number;
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
export async function measureReplicas(counts: number[] = REPLICA_COUNTS, log: (m: string) => void = () => undefined): Promise<ReplicasMeasure[]> {
  const out: ReplicasMeasure[] = [];
  for (const n of counts) {
    log(`replicas: ${n} standalone server${n > 1 ? "s" : ""} on one PostgreSQL database, ${VIEWERS} viewers`);
    out.push(await measureOne(n));
  }
  return out;
}

async function measureOne(replicas: number): Promise<ReplicasMeasure> {
  const base = benchConfig(POOLS);
  const config = { ...base, refresh: { ...base.refresh, capacitySeconds: CAPACITY_SECONDS, timeoutMs: 5000 } };
  const floor = floorOf(config);
  const period = choosePeriod(RANGES[RANGE]);
  const t0 = performance.now();
  const cluster = await startCluster({
    name: `bench_replicas${replicas}`,
    replicas,
    config,
    seed: (url) => Promise.all(REGION_LIST.map((region) => seedGroups(url, region, benchGroups(config, region)))),
  });
  const startSeconds = (performance.now() - t0) / 1000;
  try {
    // Counted from the first viewer's first request: the metric series are not loaded yet anywhere,
    // so the window holds exactly one metric refresh per region (the period is longer than it).
    cluster.proxy.reset();
    const windowMs = REFRESHES * CAPACITY_SECONDS * 1000;
    const start = Date.now();
    const end = start + windowMs;
    let requests = 0;
    let failedRequests = 0;
    await Promise.all(
      Array.from({ length: VIEWERS }, async (_, v) => {
        const api = cluster.api(v % replicas, "viewer");
        // Viewers start a little apart, as people do, over the first second.
        await new Promise((r) => setTimeout(r, (v * VIEWER_PAUSE_MS) / VIEWERS));
        while (Date.now() < end) {
          const res = await api.get(`/api/fleet?range=${RANGE}`, AbortSignal.timeout(10_000)).catch(() => ({ status: 0 }));
          requests++;
          if (res.status !== 200) failedRequests++;
          await new Promise((r) => setTimeout(r, Math.min(VIEWER_PAUSE_MS, Math.max(0, end - Date.now()))));
        }
      }),
    );
    const seconds = (Date.now() - start) / 1000;
    const calls = cluster.proxy.calls().filter((c) => c.at >= start);
    const capacityRefreshes = windowMs / (CAPACITY_SECONDS * 1000);
    const metricRefreshes = Math.ceil(windowMs / (period * 1000));
    const perRegion: ReplicasMeasure["perRegion"] = {};
    for (const region of REGION_LIST) {
      const mine = calls.filter((c) => c.region === region);
      const describes = mine.filter((c) => c.action === "DescribeAutoScalingGroups").length;
      const getMetricData = mine.filter((c) => c.action === "GetMetricData").length;
      perRegion[region] = {
        describes,
        getMetricData,
        other: mine.length - describes - getMetricData,
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
 * Per replica count: describes within one refresh of the floor over the window (a refresh may
 * straddle its start), GetMetricData exactly at the floor, every request answered; and describes
 * with N replicas no more than with one.
 */
export function replicaChecks(ms: ReplicasMeasure[]): ReplicaCheck[] {
  const checks: ReplicaCheck[] = [];
  const one = ms.find((m) => m.replicas === 1);
  for (const m of ms) {
    const p = `${m.replicas} replica${m.replicas > 1 ? "s" : ""}, ${m.viewers} viewers`;
    const regions = Object.entries(m.perRegion);
    const describeLimit = (r: ReplicasMeasure["perRegion"][string]) => r.floorDescribes * (m.capacityRefreshes + 1);
    checks.push({
      target: `${p}: describes per region per capacity refresh = floor (shared cache)`,
      ok: m.failedRequests === 0 && regions.every(([, r]) => r.describes >= 1 && r.describes <= describeLimit(r)),
      detail:
        regions.map(([region, r]) => `${region} ${r.describes} in ${m.capacityRefreshes} refreshes (floor ${r.floorDescribes}/refresh, ≤ ${describeLimit(r)})`).join("; ") +
        (m.failedRequests ? `; ${m.failedRequests} of ${m.requests} requests failed` : ""),
    });
    checks.push({
      target: `${p}: GetMetricData per region per metric period = floor`,
      ok: regions.every(([, r]) => r.getMetricData === r.floorGetMetricData * m.metricRefreshes),
      detail: regions.map(([region, r]) => `${region} ${r.getMetricData} (floor ${r.floorGetMetricData * m.metricRefreshes})`).join("; "),
    });
    if (one && m !== one) {
      checks.push({
        target: `${p}: no more describes than 1 replica`,
        ok: regions.every(([region, r]) => r.describes <= one.perRegion[region]!.describes + 1),
        detail: regions.map(([region, r]) => `${region} ${r.describes} vs ${one.perRegion[region]!.describes}`).join("; "),
      });
    }
  }
  return checks;
}
