import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { configSchema, type FleetConfig } from "@/lib/config/schema";
import { runBackendContract, type ContractQuirks, type PoolFact } from "@/test/support/backends/contract";
import { createSimulatedBackend } from ".";

// The simulated backend under the same contract as the AWS one (lib/backends/aws/contract.test.ts).
// The simulation models AWS itself, so it declares no quirks.

const QUIRKS: ContractQuirks = { acceptsOutOfRangeDesired: false, activities: true };

const PRIMARY = "us-east-1";
const STANDBY = "us-west-2";
const MINUTE = 60_000;
// A fixed clock (a Monday afternoon) keeps the modelled fleet and its metrics deterministic.
const NOW = Date.UTC(2025, 0, 6, 18, 0);

const sim = (
  capacity: Record<string, { min: number; max: number; desired: number }>,
  extra: object = {},
) => ({
  capacity,
  throughputPerInstance: 50,
  peakRate: 120,
  ...extra,
});

const cfg: FleetConfig = configSchema.parse({
  backend: "simulated",
  regions: { primary: PRIMARY, standby: STANDBY },
  pools: [
    {
      id: "web",
      name: "Web",
      tier: "web",
      groups: { [PRIMARY]: "sim-web-use1", [STANDBY]: "sim-web-usw2" },
      instance: { type: "c5.large", hourlyPrice: 0.085 },
      simulation: sim(
        { [PRIMARY]: { min: 2, max: 10, desired: 3 }, [STANDBY]: { min: 1, max: 10, desired: 1 } },
        { hasScalingPolicies: true },
      ),
    },
    {
      id: "worker",
      name: "Worker",
      tier: "worker",
      groups: { [PRIMARY]: "sim-worker-use1", [STANDBY]: "sim-worker-usw2" },
      instance: { type: "m5.large", hourlyPrice: 0.096 },
      simulation: sim(
        { [PRIMARY]: { min: 1, max: 6, desired: 2 }, [STANDBY]: { min: 0, max: 6, desired: 1 } },
        { hasScheduledActions: true },
      ),
    },
    {
      id: "batch",
      name: "Batch (primary only)",
      tier: "infra",
      groups: { [PRIMARY]: "sim-batch-use1" },
      instance: { type: "t3.micro", hourlyPrice: 0.01 },
      simulation: sim({ [PRIMARY]: { min: 0, max: 4, desired: 1 } }),
    },
  ],
  auth: { mode: "dev" },
});

const group = (
  name: string,
  c: { min: number; max: number; desired: number },
  policies = false,
  scheduled = false,
) => ({
  name,
  ...c,
  policies,
  scheduled,
});

const POOLS: PoolFact[] = [
  {
    poolId: "web",
    groups: {
      [PRIMARY]: group("sim-web-use1", { min: 2, max: 10, desired: 3 }, true),
      [STANDBY]: group("sim-web-usw2", { min: 1, max: 10, desired: 1 }, true),
    },
  },
  {
    poolId: "worker",
    groups: {
      [PRIMARY]: group("sim-worker-use1", { min: 1, max: 6, desired: 2 }, false, true),
      [STANDBY]: group("sim-worker-usw2", { min: 0, max: 6, desired: 1 }, false, true),
    },
  },
  { poolId: "batch", groups: { [PRIMARY]: group("sim-batch-use1", { min: 0, max: 4, desired: 1 }) } },
];

runBackendContract("simulated", async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "capstan-sim-contract-"));
  const now = () => NOW;
  return {
    backend: createSimulatedBackend(cfg, { dataDir, now }),
    regions: { primary: PRIMARY, standby: STANDBY },
    pools: POOLS,
    metric: {
      region: PRIMARY,
      query: {
        namespace: "AWS/EC2",
        metricName: "CPUUtilization",
        dimensions: { AutoScalingGroupName: "sim-web-use1" },
        period: 60,
      },
      range: { start: NOW - 60 * MINUTE, end: NOW },
    },
    writable: { region: PRIMARY, groupName: "sim-worker-use1" },
    // The same fleet (same data directory), its standby region down.
    isolation: async () => ({
      backend: createSimulatedBackend(cfg, { dataDir, now, faults: `${STANDBY}:down` }),
      failing: STANDBY,
      healthy: PRIMARY,
    }),
    quirks: QUIRKS,
    teardown: () => rmSync(dataDir, { recursive: true, force: true }),
  };
});
