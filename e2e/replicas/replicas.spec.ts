import { randomBytes } from "node:crypto";
import { test, expect } from "@playwright/test";
import { Client } from "pg";
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import {
  MOTO_CREDENTIALS,
  MOTO_PRIMARY,
  MOTO_STANDBY,
  motoFleetConfig,
  seedMotoFleet,
} from "@/test/support/aws";
import { PG_MIGRATIONS } from "@/lib/store/postgres/migrations";
import { startCluster, type Cluster } from "./cluster";

// Several replicas of the production server on one PostgreSQL database (issue 8): two standalone
// servers, started at the same moment on an empty database, against moto through the counting
// proxy (e2e/support/aws-proxy.ts), so "exactly one SetDesiredCapacity reached AWS" and "two
// replicas cost what one costs" are counted where AWS would count them.
// API level only: the browser adds nothing to what is shared between replicas.

const REGIONS = [MOTO_PRIMARY, MOTO_STANDBY];
/** The smallest capacity refresh the configuration accepts (refresh.capacitySeconds ≥ 5). */
const CAPACITY_SECONDS = 5;
/** Overview metrics period for the 1h and 6h ranges (choosePeriod). */
const METRICS_PERIOD_SECONDS = 60;
const POOL = { region: MOTO_PRIMARY, pool: "web", group: "capstan-web-use1" };
const CAPACITY_URL = `/api/pools/${POOL.region}/${POOL.pool}/capacity`;

// In order, one worker, but not "serial": a failed test does not skip the rest (each shows what
// it proves); Playwright then starts a fresh worker, so beforeAll builds a fresh cluster.
test.describe.configure({ timeout: 120_000 });

let cluster: Cluster;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  const config = motoFleetConfig();
  cluster = await startCluster({
    name: "replicas",
    replicas: 2,
    config: { ...config, refresh: { ...config.refresh, capacitySeconds: CAPACITY_SECONDS } },
    seed: (url) => seedMotoFleet(url),
    env: { CAPSTAN_RECONCILE_AFTER_SECONDS: "3", CAPSTAN_BACKGROUND_SECONDS: "1" },
    // CAPSTAN_E2E_TRACE=1: the cluster's start-up and teardown steps with their durations.
    log: process.env.CAPSTAN_E2E_TRACE ? (m) => console.error(`replicas: ${m}`) : undefined,
  });
});

test.afterAll(async () => {
  test.setTimeout(120_000);
  await cluster?.stop();
});

const key = (label: string) => `${label}-${randomBytes(8).toString("hex")}`;

/** A group's desired capacity read straight from the emulator (not through the proxy: uncounted). */
async function emulatorDesired(region: string, group: string): Promise<number> {
  const client = new AutoScalingClient({
    region,
    endpoint: cluster.moto.url,
    credentials: MOTO_CREDENTIALS,
    maxAttempts: 1,
  });
  try {
    const out = await client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }));
    const desired = out.AutoScalingGroups?.[0]?.DesiredCapacity;
    if (desired === undefined) throw new Error(`${group} not found in ${region}`);
    return desired;
  } finally {
    client.destroy();
  }
}

interface AuditRow {
  id: string;
  actor: string;
  idempotencyKey: string | null;
  outcome: string;
  label: string;
  reconciled: boolean;
  to: number | null;
  note: string | null;
}

async function auditThrough(i: number): Promise<AuditRow[]> {
  const res = await cluster
    .api(i, "viewer")
    .get<{ records: AuditRow[] }>(`/api/audit?region=${POOL.region}&pool=${POOL.pool}&limit=100`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.records;
}

const setDesiredCount = () => cluster.proxy.counts().byAction.SetDesiredCapacity ?? 0;

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return condition();
}

/**
 * Sends concurrent changes with SetDesiredCapacity held at the proxy, so they truly overlap: the
 * first write stays in flight while the other request runs. A replica that does not wait for the
 * pool's shared lock reaches AWS too, within the observation window; then everything is released
 * (within the SDK's per-attempt timeout, so nothing is retried) and the replies are returned.
 */
async function overlapping<T>(send: () => Promise<T>[]): Promise<T[]> {
  cluster.proxy.hold("SetDesiredCapacity");
  let settled = false;
  const replies = Promise.all(send()).finally(() => (settled = true));
  try {
    await until(() => cluster.proxy.held() >= 1 || settled, 20_000);
    // Observation window for a second write, ended early if one arrives (1.5 s < the 2.5 s attempt timeout).
    if (!settled) await until(() => cluster.proxy.held() >= 2 || settled, 1500);
  } finally {
    await cluster.proxy.release();
  }
  return replies;
}

test("two replicas started at the same moment on an empty database both come up", async () => {
  for (const [i, health] of cluster.startupHealth.entries()) {
    expect(health, `replica ${i + 1} /api/health`).toMatchObject({ store: "postgres", storeReachable: true });
  }
  // Their migrations ran once, under the lock: each version recorded exactly once, and the schema
  // both replicas need is there (neither crashed on a half-made one).
  const db = new Client({ connectionString: cluster.db.url });
  await db.connect();
  try {
    const versions = await db.query<{ version: number; n: string }>(
      "SELECT version, count(*) AS n FROM schema_migrations GROUP BY version ORDER BY version",
    );
    expect(versions.rows.map((r) => [r.version, Number(r.n)])).toEqual(
      PG_MIGRATIONS.map((m) => [m.version, 1]),
    );
    const tables = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(["audit_log", "documents", "read_cache", "schema_migrations"]),
    );
  } finally {
    await db.end();
  }
  for (const r of cluster.replicas) expect(r.running(), `${r.name} still running`).toBe(true);
});

test("simultaneous changes of one pool through both replicas: one reaches AWS, the other is a 409 with the current value", async () => {
  const from = await emulatorDesired(POOL.region, POOL.group);
  cluster.proxy.reset();
  const ask = (i: number, who: "operatorA" | "operatorB", desired: number) =>
    cluster.api(i, who).post<Record<string, unknown>>(CAPACITY_URL, {
      desired,
      expectedDesired: from,
      reason: `replica ${i + 1} scales web`,
      idempotencyKey: key(`race-${i}`),
    });
  const replies = await overlapping(() => [ask(0, "operatorA", from + 1), ask(1, "operatorB", from + 2)]);
  const detail = JSON.stringify(replies);
  expect(replies.map((r) => r.status).sort(), detail).toEqual([200, 409]);
  expect(setDesiredCount(), `SetDesiredCapacity calls that reached AWS: ${detail}`).toBe(1);
  const winner = replies.find((r) => r.status === 200)!;
  const loser = replies.find((r) => r.status === 409)!;
  const asked = (winner.body.record as { to: number }).to;
  expect(loser.body, detail).toMatchObject({ kind: "conflict", current: { desired: asked } });
  expect(await emulatorDesired(POOL.region, POOL.group)).toBe(asked);
});

test("one idempotency key sent to both replicas at once: one write, the same record from both", async () => {
  const from = await emulatorDesired(POOL.region, POOL.group);
  cluster.proxy.reset();
  const body = {
    desired: from + 1,
    expectedDesired: from,
    reason: "double submit across replicas",
    idempotencyKey: key("twin"),
  };
  const replies = await overlapping(() =>
    [0, 1].map((i) =>
      cluster.api(i, "operatorA").post<{ record: { id: string }; replayed: boolean }>(CAPACITY_URL, body),
    ),
  );
  const detail = JSON.stringify(replies);
  expect(
    replies.map((r) => r.status),
    detail,
  ).toEqual([200, 200]);
  expect(setDesiredCount(), `SetDesiredCapacity calls that reached AWS: ${detail}`).toBe(1);
  expect(replies[0]!.body.record.id, detail).toBe(replies[1]!.body.record.id);
  expect(replies.map((r) => r.body.replayed).sort(), detail).toEqual([false, true]);
  expect(await emulatorDesired(POOL.region, POOL.group)).toBe(from + 1);
});

test("the audit log is shared: a change made through replica 1 is listed by replica 2", async () => {
  const from = await emulatorDesired(POOL.region, POOL.group);
  const idempotencyKey = key("shared-log");
  const res = await cluster.api(0, "operatorB").post<{ record: { id: string } }>(CAPACITY_URL, {
    desired: from - 1,
    expectedDesired: from,
    reason: "seen from the other replica",
    idempotencyKey,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const rows = await auditThrough(1);
  const row = rows.find((r) => r.id === res.body.record.id);
  expect(
    row,
    `record ${res.body.record.id} in replica 2's audit log (${rows.length} rows there)`,
  ).toBeDefined();
  expect(row).toMatchObject({
    actor: cluster.actor("operatorB"),
    idempotencyKey,
    outcome: "succeeded",
    to: from - 1,
  });
});

test("viewers spread over both replicas cost AWS what one viewer on one replica costs", async () => {
  const windowMs = 3 * CAPACITY_SECONDS * 1000;
  /** Viewers polling GET /api/fleet (each about once a second) for the window; AWS calls counted in it. */
  const watch = async (viewers: number, replicaOf: (v: number) => number, range: string) => {
    const start = Date.now();
    const end = start + windowMs;
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: viewers }, async (_, v) => {
        const api = cluster.api(replicaOf(v), "viewer");
        while (Date.now() < end) {
          const r = await api.get(`/api/fleet?range=${range}`, AbortSignal.timeout(10_000));
          statuses.push(r.status);
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, Math.max(0, end - Date.now()))));
        }
      }),
    );
    const calls = cluster.proxy.calls().filter((c) => c.at >= start && c.at <= Date.now());
    const per = (action: string) =>
      Object.fromEntries(
        REGIONS.map((region) => [
          region,
          calls.filter((c) => c.region === region && c.action === action).length,
        ]),
      );
    const describeTimes = Object.fromEntries(
      REGIONS.map((region) => [
        region,
        calls.filter((c) => c.region === region && c.action === "DescribeAutoScalingGroups").map((c) => c.at),
      ]),
    );
    return {
      statuses,
      describes: per("DescribeAutoScalingGroups"),
      metrics: per("GetMetricData"),
      describeTimes,
      seconds: (Date.now() - start) / 1000,
    };
  };

  // One viewer on one replica: the baseline, in this same cluster.
  const one = await watch(1, () => 0, "1h");
  // Six viewers alternating between the replicas, on a range neither has loaded yet (so each
  // replica with its own cache would ask CloudWatch itself).
  const six = await watch(6, (v) => v % 2, "6h");
  const detail = JSON.stringify({ one, six });
  expect(one.statuses.every((s) => s === 200) && six.statuses.every((s) => s === 200), detail).toBe(true);
  // Refreshes in the window: at most one per interval, plus one the window's start may cut.
  const refreshes = Math.ceil(windowMs / (CAPACITY_SECONDS * 1000)) + 1;
  const metricsFloor = Math.ceil(windowMs / (METRICS_PERIOD_SECONDS * 1000));
  for (const region of REGIONS) {
    // One capacity refresh is a burst of describes (the tag filter's pages, plus the groups only the
    // configuration names): its size, as one viewer on one replica causes it.
    const perRefresh = Math.max(...bursts(one.describeTimes[region]!));
    expect(one.describes[region], `baseline describes in ${region}: ${detail}`).toBeGreaterThan(0);
    expect(
      six.describes[region],
      `describes in ${region}, 6 viewers on 2 replicas vs 1 on 1 (${perRefresh} per refresh): ${detail}`,
    ).toBeLessThanOrEqual(Math.min(one.describes[region]! + perRefresh, refreshes * perRefresh));
    // One GetMetricData per period per region for the new range, whoever asked and where.
    expect(six.metrics[region], `GetMetricData in ${region} for 6 viewers on 2 replicas: ${detail}`).toBe(
      metricsFloor,
    );
  }
});

/** Sizes of the bursts of calls (calls less than a second apart belong to one refresh). */
function bursts(times: number[]): number[] {
  const sizes: number[] = [];
  let last = -Infinity;
  for (const t of [...times].sort((a, b) => a - b)) {
    if (t - last > 1000) sizes.push(0);
    sizes[sizes.length - 1] = (sizes[sizes.length - 1] ?? 0) + 1;
    last = t;
  }
  return sizes.length ? sizes : [0];
}

test("a replica killed with its SetDesiredCapacity in flight: the other shows it pending, then reconciles it", async () => {
  const from = await emulatorDesired(POOL.region, POOL.group);
  const idempotencyKey = key("killed");
  cluster.proxy.hold("SetDesiredCapacity");
  const victim = cluster.replicas[0]!;
  // The reply never comes: the replica dies first. The error of the dropped connection is expected.
  const sent = cluster
    .api(0, "operatorA")
    .post(CAPACITY_URL, {
      desired: from + 1,
      expectedDesired: from,
      reason: "killed mid-flight",
      idempotencyKey,
    })
    .catch((err: unknown) => err);
  await expect
    .poll(() => cluster.proxy.held(), { message: "SetDesiredCapacity held at the proxy", timeout: 20_000 })
    .toBeGreaterThanOrEqual(1);
  await victim.kill();
  await sent;
  // AWS got the request before the replica died: the proxy delivers it now.
  expect(await cluster.proxy.release()).toBeGreaterThanOrEqual(1);
  expect(await emulatorDesired(POOL.region, POOL.group)).toBe(from + 1);

  const mine = async () => (await auditThrough(1)).find((r) => r.idempotencyKey === idempotencyKey);
  const first = await mine();
  expect(first, "the intent written by the killed replica, read through replica 2").toBeDefined();
  // Not settled yet: "pending", or "outcome unknown" once older than CAPSTAN_RECONCILE_AFTER_SECONDS.
  expect(["pending", "outcome unknown"], JSON.stringify(first)).toContain(first!.label);
  // Background reconciliation (every second, after 3 s) settles it against the group.
  await expect
    .poll(
      async () => {
        const r = await mine();
        return r && { outcome: r.outcome, reconciled: r.reconciled, label: r.label };
      },
      { message: "reconciled through replica 2", timeout: 30_000 },
    )
    .toEqual({ outcome: "succeeded", reconciled: true, label: "succeeded (reconciled)" });
});
