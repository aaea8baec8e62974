import type { FleetBackend, MetricQuery, Point, TimeRange } from "@/lib/fleet/types";

// What a backend's test declares to run the FleetBackend contract (./contract.ts): the backend,
// the fleet it is expected to find, and, once, where its upstream differs from AWS.

export interface GroupFact {
  name: string;
  min: number;
  max: number;
  desired: number;
  /** Whether the group has scaling policies / scheduled actions. */
  policies: boolean;
  scheduled: boolean;
}

export interface PoolFact {
  poolId: string;
  /** region → the pool's group there */
  groups: Record<string, GroupFact>;
}

export interface ContractQuirks {
  /** AWS rejects a desired value outside min..max with ValidationError; moto accepts and stores it. */
  acceptsOutOfRangeDesired: boolean;
  /** AWS (and the simulation) record an activity per change; moto's list is always empty. */
  activities: boolean;
}

export interface MetricFact {
  region: string;
  query: Omit<MetricQuery, "id" | "statistic">;
  range: TimeRange;
  /** The points the fixture wrote, per statistic, when it knows them (moto); the simulation models its own. */
  expected?: { Average: Point[]; Maximum: Point[] };
}

export interface IsolatedRegion {
  backend: FleetBackend;
  failing: string;
  healthy: string;
  cleanup?: () => void | Promise<void>;
}

export interface ContractFixture {
  backend: FleetBackend;
  regions: { primary: string; standby: string };
  /** Every pool the backend must report, in every region where it has a group (and nothing else). */
  pools: PoolFact[];
  metric: MetricFact;
  /** A group the suite may resize; its max must leave room for desired + 1. */
  writable: { region: string; groupName: string };
  /** A second backend on the same fleet with one region failing (dead endpoint, fault "down"). */
  isolation(): Promise<IsolatedRegion>;
  quirks: ContractQuirks;
  teardown?(): void | Promise<void>;
}
