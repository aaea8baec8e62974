// npm run bench: what Capstan costs upstream (AWS calls, CloudWatch metrics) and on the server,
// for 8, 100 and 500 pools per region, side by side. Prints a table and PASS/FAIL per target,
// writes bench/results/latest.json, exits non-zero when a target fails.
//
//  - AWS calls: the real read path (readOverview → shared cache → AWS backend → SDK) in this process,
//    counted at the SDK's transport (lib/backends/aws/calls.ts), against the moto emulator seeded
//    with that many groups per region; the cache runs on a simulated clock (new SharedCache(now)).
//    The simulated hour uses moto at the smallest size and, where moto is too slow for 240
//    refreshes (100 and 500 pools), a local stub speaking the same AWS wire protocols (stub-aws.ts).
//  - Server time: the standalone server (the production build: run `npm run build` first) with the
//    simulated backend, CAPSTAN_SIM_EXTRA_POOLS growing the reference fleet to the same sizes.
//  - Replicas: 1, 2 and 3 standalone servers on one PostgreSQL database against moto through a
//    counting proxy, viewers spread over them: AWS calls per refresh must stay at the floor
//    (bench/replicas.ts, the harness of the replica end-to-end tests).
//  - Browser: the overview in headless Chromium against the same servers (bench/browser.ts):
//    time to ready, DOM nodes, JS heap over 20 refreshes, bytes per refresh with and without 304.
//
// Environment: BENCH_SIZES (default "8,100,500"), BENCH_RUNS (server runs per endpoint, default 15),
// BENCH_BROWSER_RUNS (page loads per size for time to ready, default 3; 0 skips the browser).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { MOTO_CREDENTIALS, seedGroups, startMoto, type MotoServer } from "@/test/support/aws";
import { HEAP_REFRESHES, measureBrowser, type BrowserMeasure } from "./browser";
import { benchConfig, benchGroups, REGION_LIST } from "./fleet";
import { measureReplicas, replicaChecks, REPLICA_COUNTS, type ReplicasMeasure } from "./replicas";
import { measureServers, type ServerMeasure } from "./server";
import { startStubAws } from "./stub-aws";
import {
  floorOf,
  harness,
  measureHour,
  measureRefresh,
  measureViewers,
  OVERVIEW_PERIOD,
  release,
  type HourMeasure,
  type RefreshMeasure,
  type ViewersMeasure,
} from "./upstream";

const VIEWERS = 50;
const USD_PER_1000_METRICS = 0.01;

interface SizeResult {
  pools: number;
  groupsPerRegion: number;
  seriesPerRegion: number;
  floor: number;
  naive: number;
  seedSeconds: number;
  refresh: RefreshMeasure;
  viewersAtOnce: ViewersMeasure;
  viewersSpread: ViewersMeasure;
  hourUpstream: "moto" | "stub";
  hour: { one: HourMeasure; many?: HourMeasure; none: HourMeasure; target: number };
  server?: ServerMeasure;
  browser?: BrowserMeasure;
}

interface Check {
  target: string;
  ok: boolean;
  detail: string;
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  // The backend's SDK clients take credentials from the default chain: moto (and the stub) check none.
  process.env.AWS_ACCESS_KEY_ID = MOTO_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = MOTO_CREDENTIALS.secretAccessKey;
  const sizes = (process.env.BENCH_SIZES ?? "8,100,500").split(",").map(Number);
  const runs = Number(process.env.BENCH_RUNS ?? 15);
  const browserRuns = Number(process.env.BENCH_BROWSER_RUNS ?? 3);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !(runs >= 1))
    throw new Error("BENCH_SIZES / BENCH_RUNS: whole numbers ≥ 1");
  const started = performance.now();
  const smallest = Math.min(...sizes);

  const results: SizeResult[] = [];
  let moto: MotoServer | undefined;
  try {
    moto = await startMoto();
    for (const n of sizes) {
      log(`moto: ${n} pools per region`);
      results.push(await measureSize(moto, n, n === smallest));
    }
  } finally {
    await moto?.stop();
  }

  log(`server: the standalone server with the simulated backend, ${runs} runs per endpoint`);
  const referencePools = (parseYaml(readFileSync("fleet.config.yaml", "utf8")) as { pools: unknown[] }).pools
    .length;
  const servers = await measureServers(
    sizes.map((n) => Math.max(0, n - referencePools)),
    runs,
  );
  results.forEach((r, i) => (r.server = servers[i]));

  if (browserRuns > 0) {
    log(
      `browser: the overview in Chromium, ${browserRuns} loads per size, ${HEAP_REFRESHES} refreshes for the heap`,
    );
    const browser = await measureBrowser(sizes, referencePools, browserRuns);
    results.forEach((r, i) => (r.browser = browser[i]));
  }

  // Replicas of the standalone server on one PostgreSQL database (bench/replicas.ts). A failure to
  // run them at all (no build, no database) is one failed target, not a lost report.
  let replicas: ReplicasMeasure[] = [];
  let replicasError: string | undefined;
  try {
    replicas = await measureReplicas(REPLICA_COUNTS, log);
  } catch (err) {
    replicasError = err instanceof Error ? err.message : String(err);
    log(`replicas: failed: ${replicasError}`);
  }

  const checks = evaluate(results);
  checks.push(...replicaChecks(replicas));
  if (replicasError)
    checks.push({ target: "replicas: measured", ok: false, detail: replicasError.slice(0, 2000) });
  const report = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    overviewPeriodSeconds: OVERVIEW_PERIOD,
    upstream: {
      callsPerRefresh: "moto (python3 -m moto.server), every size",
      viewers: "moto, every size",
      hour: `moto at ${smallest} pools; local AWS-protocol stub (bench/stub-aws.ts) above`,
    },
    sizes: results,
    replicas,
    checks,
  };
  print(report.seconds, results, checks, replicas);
  const out = path.join("bench", "results", "latest.json");
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwritten: ${out}`);
  const failed = checks.filter((c) => !c.ok).length;
  console.log(
    failed
      ? `bench: ${failed} of ${checks.length} targets FAILED`
      : `bench: all ${checks.length} targets met`,
  );
  process.exit(failed ? 1 : 0);
}

async function measureSize(moto: MotoServer, n: number, hourOnMoto: boolean): Promise<SizeResult> {
  const cfg = benchConfig(n);
  const floor = floorOf(cfg);
  await moto.reset();
  const t0 = performance.now();
  await Promise.all(REGION_LIST.map((region) => seedGroups(moto.url, region, benchGroups(cfg, region))));
  const seedSeconds = (performance.now() - t0) / 1000;

  const h = harness(cfg, moto.url);
  let refresh: RefreshMeasure;
  let viewersAtOnce: ViewersMeasure;
  let viewersSpread: ViewersMeasure;
  let hour: SizeResult["hour"];
  try {
    refresh = await measureRefresh(h);
    viewersAtOnce = await measureViewers(h, VIEWERS, "at once");
    viewersSpread = await measureViewers(h, VIEWERS, "spread over 15 s");
    if (hourOnMoto) hour = await hours(h, true, floor.series);
  } finally {
    release(h);
  }
  if (!hourOnMoto) {
    // 240 refreshes of 2 × n groups: the stub, which answers in microseconds.
    const stub = await startStubAws(Object.fromEntries(REGION_LIST.map((r) => [r, benchGroups(cfg, r)])));
    const hs = harness(cfg, stub.url);
    try {
      hour = await hours(hs, false, floor.series);
    } finally {
      release(hs);
      await stub.close();
    }
  }
  return {
    pools: n,
    groupsPerRegion: floor.perRegion[REGION_LIST[0]!]!.groups,
    seriesPerRegion: floor.perRegion[REGION_LIST[0]!]!.queries,
    floor: floor.floor,
    naive: floor.naive,
    seedSeconds,
    refresh,
    viewersAtOnce,
    viewersSpread,
    hourUpstream: hourOnMoto ? "moto" : "stub",
    hour: hour!,
  };
}

/** One viewer, 50 viewers (smallest size only: the count does not depend on it) and none. */
async function hours(
  h: ReturnType<typeof harness>,
  many: boolean,
  series: number,
): Promise<SizeResult["hour"]> {
  const one = await measureHour(h, 1);
  const fifty = many ? await measureHour(h, VIEWERS) : undefined;
  const none = await measureHour(h, 0);
  return { one, many: fifty, none, target: (series * 3600) / OVERVIEW_PERIOD };
}

function evaluate(results: SizeResult[]): Check[] {
  const checks: Check[] = [];
  const add = (target: string, ok: boolean, detail: string) => checks.push({ target, ok, detail });
  for (const r of results) {
    const p = `${r.pools} pools`;
    add(
      `${p}: AWS calls per refresh = floor`,
      r.refresh.calls === r.floor,
      `${r.refresh.calls} calls, floor ${r.floor}`,
    );
    for (const v of [r.viewersAtOnce, r.viewersSpread]) {
      const loads = `groups ${v.cacheLoads.groups ?? 0}, metrics ${v.cacheLoads.metrics ?? 0}`;
      add(
        `${p}: ${v.viewers} viewers ${v.how} → one upstream call per region per kind`,
        v.cacheLoads.groups === REGION_LIST.length &&
          v.cacheLoads.metrics === REGION_LIST.length &&
          v.calls === r.floor,
        `cache loads ${loads} (${REGION_LIST.length} regions); ${v.calls} AWS calls, floor ${r.floor}`,
      );
    }
    const t = r.hour.target;
    add(
      `${p}: metrics per hour, 1 viewer = series × 60 / period`,
      r.hour.one.metricsRequested === t,
      `${r.hour.one.metricsRequested}, target ${t}`,
    );
    if (r.hour.many) {
      add(
        `${p}: metrics per hour, ${VIEWERS} viewers = the same`,
        r.hour.many.metricsRequested === t,
        `${r.hour.many.metricsRequested}, target ${t}`,
      );
    }
    add(
      `${p}: metrics per hour, no viewer = 0`,
      r.hour.none.metricsRequested === 0 && r.hour.none.getMetricData === 0,
      `${r.hour.none.metricsRequested}`,
    );
  }
  const largest = results.reduce((a, b) => (b.pools > a.pools ? b : a));
  if (largest.pools >= 500) {
    const ratio = largest.naive / largest.refresh.calls;
    add(
      `${largest.pools} pools: ≥ 100× fewer calls than one GetMetricStatistics per pool and metric`,
      ratio >= 100,
      `${ratio.toFixed(0)}× (${largest.naive} vs ${largest.refresh.calls})`,
    );
  }
  const smallest = results.reduce((a, b) => (b.pools < a.pools ? b : a));
  checks.push(...browserChecks(results, largest, smallest));
  if (largest !== smallest && largest.server && smallest.server) {
    const poolRatio = largest.server.pools / smallest.server.pools;
    for (const [name, key] of [
      ["GET /api/fleet", "fleetMedianMs"],
      ["overview HTML", "htmlMedianMs"],
    ] as const) {
      const ratio = largest.server[key] / smallest.server[key];
      add(
        `server time ${name}, ${largest.server.pools} / ${smallest.server.pools} pools ≤ pool ratio`,
        ratio <= poolRatio,
        `${ratio.toFixed(1)}× for ${poolRatio.toFixed(1)}× the pools`,
      );
    }
  }
  return checks;
}

/** What a big fleet costs the browser and the wire (issue 13's targets). */
function browserChecks(results: SizeResult[], largest: SizeResult, smallest: SizeResult): Check[] {
  const checks: Check[] = [];
  const add = (target: string, ok: boolean, detail: string) => checks.push({ target, ok, detail });
  const kb = (b: number) => `${(b / 1000).toFixed(2)} kB`;
  for (const r of results) {
    const p = `${r.pools} pools`;
    if (r.server) {
      add(
        `${p}: GET /api/fleet ≤ 1.5 kB per pool`,
        r.server.fleetBytesPerPool <= 1500,
        `${kb(r.server.fleetBytesPerPool)} per pool (${kb(r.server.fleetBytes)})`,
      );
    }
    const b = r.browser;
    if (!b) continue;
    add(
      `${p}: JS heap after ${HEAP_REFRESHES} refreshes < 10 % growth (after GC)`,
      b.heapGrowth < 0.1,
      `${(b.heapBeforeBytes / 1e6).toFixed(1)} → ${(b.heapAfterBytes / 1e6).toFixed(1)} MB (${(b.heapGrowth * 100).toFixed(1)} %)`,
    );
    // A 304 is headers only; against the full body it only looks small once the fleet is not tiny.
    const bound = r.pools >= 100 ? Math.min(1000, b.refreshBytes200 / 10) : 1000;
    add(
      `${p}: a 304 refresh is headers only, ≤ ${r.pools >= 100 ? "1/10 of a full one and " : ""}1 kB`,
      b.refreshBytes304 !== null && b.refreshBytes304 <= bound,
      b.refreshBytes304 === null
        ? `no 304 seen (${b.conditional.ok200} × 200)`
        : `${b.refreshBytes304} B vs ${kb(b.refreshBytes200)} for a 200 (${b.conditional.notModified304} of ${b.conditional.notModified304 + b.conditional.ok200} polls answered 304)`,
    );
  }
  if (largest.pools >= 500) {
    const html = Math.max(largest.browser?.htmlBytes ?? 0, largest.server?.htmlBytes ?? 0);
    if (html)
      add(
        `${largest.pools} pools: overview HTML ≤ 1 MB`,
        html <= 1e6,
        `${kb(html)} (the larger of a viewer's and an operator's, with − / + on every pool)`,
      );
    if (largest.browser)
      add(
        `${largest.pools} pools: ≤ 10,000 DOM nodes`,
        largest.browser.domNodes <= 10_000,
        `${largest.browser.domNodes} nodes, ${largest.browser.rowsInDom} pool rows in the DOM`,
      );
  }
  if (largest !== smallest && largest.browser && smallest.browser) {
    const ratio = largest.browser.readyMs / smallest.browser.readyMs;
    add(
      `overview ready, ${largest.pools} / ${smallest.pools} pools ≤ 2.5×`,
      ratio <= 2.5,
      `${ratio.toFixed(2)}× (${largest.browser.readyMs.toFixed(0)} vs ${smallest.browser.readyMs.toFixed(0)} ms, medians)`,
    );
  }
  return checks;
}

function print(seconds: number, rs: SizeResult[], checks: Check[], replicas: ReplicasMeasure[]) {
  const rows: [string, ...string[]][] = [];
  const row = (label: string, f: (r: SizeResult) => string) => rows.push([label, ...rs.map(f)]);
  const calls = (c: Record<string, { describe: number; getMetricData: number; other: number }>) => {
    const d = Object.values(c).reduce((s, r) => s + r.describe, 0);
    const g = Object.values(c).reduce((s, r) => s + r.getMetricData, 0);
    const o = Object.values(c).reduce((s, r) => s + r.other, 0);
    return `${d + g + o} (${d}+${g}${o ? `+${o}` : ""})`;
  };
  const ms = (x: number) => (x < 10 ? x.toFixed(1) : x.toFixed(0));
  const kb = (b: number) => (b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : `${(b / 1e3).toFixed(1)} kB`);

  row("groups / overview series per region", (r) => `${r.groupsPerRegion} / ${r.seriesPerRegion}`);
  row("seeding moto, both regions", (r) => `${r.seedSeconds.toFixed(1)} s`);
  row("AWS calls per refresh, both regions (desc+GMD)¹", (r) => calls(r.refresh.byRegion));
  row("  floor ceil(g/100) + ceil(q/500) × 2", (r) => String(r.floor));
  row("  first refresh (+policy lookups, kept 10 min)", (r) => calls(r.refresh.coldByRegion));
  row("  naive: + 1 GetMetricStatistics/pool/metric", (r) => String(r.naive));
  row("  fewer calls than naive", (r) => `${(r.naive / r.refresh.calls).toFixed(1)}×`);
  row("  time of that refresh against moto", (r) => `${ms(r.refresh.refreshMs)} ms`);
  row(`${VIEWERS} viewers at once: cache loads g/m; AWS calls`, (r) => viewers(r.viewersAtOnce));
  row(`${VIEWERS} viewers over 15 s: cache loads g/m; AWS calls`, (r) => viewers(r.viewersSpread));
  row("metrics requested / hour, 1 viewer²", (r) => `${r.hour.one.metricsRequested} (${r.hourUpstream})`);
  row("  target series × 60 / period(min)", (r) => String(r.hour.target));
  row(`  ${VIEWERS} viewers`, (r) => (r.hour.many ? String(r.hour.many.metricsRequested) : "—"));
  row("  no viewer", (r) => String(r.hour.none.metricsRequested));
  row(
    "  CloudWatch $ / day, any number of viewers",
    (r) => `$${((r.hour.one.metricsRequested * 24 * USD_PER_1000_METRICS) / 1000).toFixed(2)}`,
  );
  row(
    "  AWS calls / hour: desc, GMD, other",
    (r) => `${r.hour.one.describes}, ${r.hour.one.getMetricData}, ${r.hour.one.otherCalls}`,
  );
  row("server³: pools (extra)", (r) => (r.server ? `${r.server.pools} (${r.server.extraPools})` : "—"));
  row("  GET /api/fleet median (p90)", (r) =>
    r.server ? `${ms(r.server.fleetMedianMs)} ms (${ms(r.server.fleetP90Ms)})` : "—",
  );
  row("  GET /api/fleet, first (cold cache)", (r) => (r.server ? `${ms(r.server.fleetColdMs)} ms` : "—"));
  row("  overview HTML median (p90)", (r) =>
    r.server ? `${ms(r.server.htmlMedianMs)} ms (${ms(r.server.htmlP90Ms)})` : "—",
  );
  row("  /api/fleet size (per pool)", (r) =>
    r.server ? `${kb(r.server.fleetBytes)} (${kb(r.server.fleetBytesPerPool)})` : "—",
  );
  row("  overview HTML size", (r) => (r.server ? kb(r.server.htmlBytes) : "—"));
  row("  server RSS after the runs", (r) => (r.server ? `${r.server.rssMb.toFixed(0)} MB` : "—"));
  const b = (f: (x: BrowserMeasure) => string) => (r: SizeResult) => (r.browser ? f(r.browser) : "—");
  row(
    "browser⁴: overview ready, median (runs)",
    b((x) => `${ms(x.readyMs)} ms (${x.readyRunsMs.map((v) => v.toFixed(0)).join(", ")})`),
  );
  row(
    "  DOM nodes (pool rows in the DOM)",
    b((x) => `${x.domNodes} (${x.rowsInDom})`),
  );
  row(
    "  overview HTML, operator",
    b((x) => kb(x.htmlBytes)),
  );
  row(
    "  JS heap after GC, before → after 20 refreshes",
    b((x) => `${(x.heapBeforeBytes / 1e6).toFixed(1)} → ${(x.heapAfterBytes / 1e6).toFixed(1)} MB`),
  );
  row(
    "  bytes per refresh: 200 / 304",
    b((x) => `${kb(x.refreshBytes200)} / ${x.refreshBytes304 === null ? "—" : `${x.refreshBytes304} B`}`),
  );
  row(
    "  client polls answered 304 / 200",
    b((x) => `${x.conditional.notModified304} / ${x.conditional.ok200}`),
  );

  const header: [string, ...string[]] = ["", ...rs.map((r) => `${r.pools} pools`)];
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((x) => x[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("   ");
  console.log(`\nCapstan benchmark (${seconds} s, node ${process.version}, ${os.cpus().length} CPUs)\n`);
  console.log(line(header));
  console.log(widths.map((w) => "─".repeat(w)).join("   "));
  for (const r of rows) console.log(line(r));
  console.log(
    [
      "",
      "¹ one overview refresh with capacity and metrics both due (every metric period; the 15 s refreshes",
      "  between are describes only), counted at the SDK transport against moto; desc = DescribeAutoScalingGroups,",
      "  GMD = GetMetricData, +policy lookups = DescribePolicies and DescribeScheduledActions.",
      `² an hour of 15 s refreshes on a simulated clock, metric period ${OVERVIEW_PERIOD} s (1 h range); moto at the`,
      "  smallest size, a local AWS-protocol stub above (moto needs ~0.4 s per 500-group describe).",
      "³ standalone server, simulated backend, CAPSTAN_SIM_EXTRA_POOLS; sizes measured interleaved; times seen by",
      "  a client on loopback; RSS of the server process tree.",
      "⁴ headless Chromium (Debian's), 1440×900, dev sign-in as an operator, polling every 1 s; ready = every pool",
      "  row on screen has its figures (no skeleton), from navigation start; heap via CDP after GC; bytes on the",
      "  wire, headers included.",
      "",
    ].join("\n"),
  );
  printReplicas(replicas);
  for (const c of checks) console.log(`${c.ok ? "PASS" : "FAIL"}  ${c.target}: ${c.detail}`);
}

function printReplicas(ms: ReplicasMeasure[]) {
  if (ms.length === 0) return;
  const first = ms[0]!;
  const regions = Object.keys(first.perRegion);
  const rows: [string, ...string[]][] = [];
  const row = (label: string, f: (m: ReplicasMeasure) => string) => rows.push([label, ...ms.map(f)]);
  const each = (f: (r: ReplicasMeasure["perRegion"][string]) => string) => (m: ReplicasMeasure) =>
    regions.map((region) => f(m.perRegion[region]!)).join(" / ");
  row("start, all at once on an empty database", (m) => `${m.startSeconds.toFixed(1)} s`);
  row("GET /api/fleet answered (failed)", (m) => `${m.requests} (${m.failedRequests})`);
  row(
    "describes per region per refresh⁴",
    each((r) => r.describesPerRefresh.toFixed(2)),
  );
  row(
    "  floor ceil(groups/100)",
    each((r) => String(r.floorDescribes)),
  );
  row(
    "GetMetricData per region per period",
    each((r) => r.getMetricDataPerRefresh.toFixed(2)),
  );
  row(
    "  floor ceil(series/500)",
    each((r) => String(r.floorGetMetricData)),
  );
  const header: [string, ...string[]] = [
    "",
    ...ms.map((m) => `${m.replicas} replica${m.replicas > 1 ? "s" : ""}`),
  ];
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((x) => x[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("   ");
  console.log(
    `Replicas: standalone servers on one PostgreSQL database, ${first.pools} pools, ${first.viewers} viewers spread over them, ` +
      `polling ${first.seconds.toFixed(0)} s (capacity refresh ${first.capacitySeconds} s, metric period ${first.metricsPeriodSeconds} s)\n`,
  );
  console.log(line(header));
  console.log(widths.map((w) => "─".repeat(w)).join("   "));
  for (const r of rows) console.log(line(r));
  console.log(
    [
      "",
      `⁴ ${regions.join(" / ")}; AWS calls counted at a proxy in front of moto, from every replica; the window`,
      "  starts with the series not loaded anywhere (one metric refresh per region); describes are counted over",
      `  ${first.capacityRefreshes} capacity intervals from the first describe of the window, whatever the phase the start-up left.`,
      "",
    ].join("\n"),
  );
}

function viewers(v: ViewersMeasure): string {
  return `${v.cacheLoads.groups ?? 0}/${v.cacheLoads.metrics ?? 0}; ${v.calls}`;
}

function log(msg: string) {
  console.error(`bench: ${msg}`);
}

main().catch((err: unknown) => {
  console.error(`bench: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(2);
});
