// Test-only (matrix.test.ts): the world every cell of the authorization matrix runs in — the
// shipped reference fleet with API tokens and ALB sign-in, the simulated backend (its own temporary data
// directory, a fixed clock) and a temporary SQLite audit log, both fresh for every cell, with
// audit rows and a pending revert seeded so reads have something to filter and reverts something
// to act on.
import { afterAll, afterEach, beforeAll, beforeEach, vi } from "vitest";
import { setAuditStoreForTests, type AuditRecord } from "@/lib/audit";
import type { SqliteAuditStore } from "@/lib/audit/sqlite-store";
import { setBackendForTests } from "@/lib/backends";
import type { SimulatedBackend } from "@/lib/backends/simulated";
import { cleanupDataDirs, harness, WEEKDAY_PEAK } from "@/test/support/simulated/fixtures";
import { sharedCache } from "@/lib/cache/shared-cache";
import { setConfigForTests } from "@/lib/config";
import { tempStore } from "@/test/support/services/fixtures";
import { ALB_ARN, ALB_CLIENT, ALB_ISSUER, startAlbKeys } from "./alb-test-keys";
import { CONFIGURED, WEST } from "./matrix-cases";
import { configWithAuth } from "@/test/support/auth/config";
import { sha256Hex } from "@/lib/auth/tokens";

export type FleetState = Record<string, { min: number; desired: number; max: number }>;

/** Audit rows seeded before each cell; GET /api/audit shows each identity the ones in its scope. */
export const SEEDED: { region: string; pool: string }[] = [
  { region: "us-east-1", pool: "app" },
  { region: "us-east-1", pool: "worker-email" },
  { region: WEST, pool: "app" },
];

// ALB sign-in beside the tokens (a token decides alone in any mode): x-amzn-oidc-data signed here
// with a local ES256 key, its public key served locally the way the ALB's key endpoint does.
const albKeys = await startAlbKeys();
/** An x-amzn-oidc-data value for these claims, as the configured ALB would send it. */
export const signAlb = (claims: { email: string; groups: string[] }) => albKeys.sign(claims);

export const config = configWithAuth({
  mode: "alb",
  tokens: CONFIGURED.map(({ secret, ...t }) => ({ ...t, sha256: sha256Hex(secret) })),
  alb: {
    arns: [ALB_ARN],
    roles: { ops: "operator", staff: "viewer" },
    issuer: ALB_ISSUER,
    clientId: ALB_CLIENT,
    testKeyBaseUrl: albKeys.base,
  },
});

let backend: SimulatedBackend;
let store: SqliteAuditStore;
let closeStore: () => void;

/** The current cell's backend and audit store. */
export const world = {
  get backend() {
    return backend;
  },
  get store() {
    return store;
  },
};

export async function group(region: string, pool: string) {
  const g = (await backend.listGroups(region)).find((x) => x.poolId === pool);
  if (!g) throw new Error(`no ${pool} in ${region}`);
  return g;
}

/** Every group's min/desired/max in both regions, straight from the backend. */
export async function fleetState(): Promise<FleetState> {
  const out: FleetState = {};
  for (const region of [config.regions.primary, config.regions.standby]) {
    for (const g of await backend.listGroups(region))
      out[`${region}/${g.poolId}`] = { min: g.min, desired: g.desired, max: g.max };
  }
  return out;
}

export async function auditRows(): Promise<AuditRecord[]> {
  return (await store.query({ limit: 500 })).records;
}

/** A time-boxed change of us-east-1/app whose revert is pending. */
async function seedPendingRevert() {
  const g = await group("us-east-1", "app");
  const { record } = await store.recordIntent(
    {
      time: new Date(WEEKDAY_PEAK - 10 * 60_000).toISOString(),
      actor: "seed",
      role: "operator",
      action: "capacity",
      region: "us-east-1",
      pool: "app",
      group: g.groupName,
      from: g.desired - 1,
      expected: g.desired - 1,
      to: g.desired,
      minFrom: null,
      minTo: null,
      maxFrom: null,
      maxTo: null,
      reason: "seeded time-boxed change",
      idempotencyKey: "seed-revert-abcdefgh",
      requestHash: null,
      override: false,
    },
    { revertAt: new Date(WEEKDAY_PEAK + 60 * 60_000).toISOString() },
  );
  await store.recordOutcome(record.id, { outcome: "succeeded", completedAt: record.time });
}

async function seedRefusals() {
  for (const [i, s] of SEEDED.entries()) {
    await store.recordAttempt({
      time: new Date(WEEKDAY_PEAK - (i + 1) * 60_000).toISOString(),
      actor: "seed",
      role: "operator",
      action: "capacity",
      region: s.region,
      pool: s.pool,
      group: null,
      from: 4,
      expected: 3,
      to: 5,
      minFrom: null,
      minTo: null,
      maxFrom: null,
      maxTo: null,
      reason: "seeded for the audit column",
      idempotencyKey: `seed-${i}-abcdefgh`,
      requestHash: null,
      override: false,
      outcome: "rejected",
      errorCode: "Conflict",
      errorMessage: "seeded",
    });
  }
}

/** Registers the hooks: one fixed clock for the file, a fresh fleet and audit log per cell. */
export function installMatrixFixtures(): void {
  beforeAll(() => {
    vi.stubEnv("CAPSTAN_PUBLIC_ORIGIN", ""); // the app's origin is the request's own
    // One fixed instant for the app (Date) and the simulated fleet (its injected clock); only Date
    // is faked, so region timeouts still use real timers.
    vi.useFakeTimers({ toFake: ["Date"], now: WEEKDAY_PEAK });
    setConfigForTests(config);
  });
  afterAll(async () => {
    await albKeys.close();
    vi.useRealTimers();
    vi.unstubAllEnvs();
    setConfigForTests(undefined);
    cleanupDataDirs();
  });
  beforeEach(async () => {
    backend = harness(config, WEEKDAY_PEAK).backend;
    setBackendForTests(backend);
    sharedCache().clear();
    ({ store, cleanup: closeStore } = tempStore());
    setAuditStoreForTests(store);
    await seedRefusals();
    await seedPendingRevert();
  });
  afterEach(() => {
    setBackendForTests(undefined);
    setAuditStoreForTests(undefined);
    closeStore();
  });
}
