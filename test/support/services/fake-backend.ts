import type {
  BoundsChange,
  FleetBackend,
  GroupState,
  Instance,
  InstanceDetail,
  WriteResult,
} from "@/lib/fleet/types";

// An in-memory FleetBackend for service tests: groups you set, every call counted, and the next
// read or write made to fail or hang on demand. Not the simulated backend (lib/backends/simulated).

export interface Write {
  method: "setDesiredCapacity" | "updateGroupBounds";
  region: string;
  group: string;
  desired?: number;
  change?: BoundsChange;
}

export function makeGroup(
  region: string,
  poolId: string,
  groupName: string,
  cap: { min: number; max: number; desired: number },
  extra: Partial<GroupState> = {},
): GroupState {
  return {
    poolId,
    region,
    groupName,
    ...cap,
    instances: instances(cap.desired, 0),
    instanceTypes: ["c5.large"],
    hasScalingPolicies: false,
    hasScheduledActions: false,
    tags: { "capstan:pool": poolId },
    ...extra,
  };
}

function instances(inService: number, pending: number, start = 0): Instance[] {
  return Array.from({ length: inService + pending }, (_, i) => ({
    id: `i-${(start + i).toString(16).padStart(8, "0")}`,
    availabilityZone: "us-east-1a",
    lifecycleState: i < inService ? "InService" : "Pending",
    health: "Healthy",
    instanceType: "c5.large",
    launchTime: "2026-01-01T00:00:00.000Z",
  }));
}

export class FakeBackend implements FleetBackend {
  readonly kind = "simulated" as const;
  readonly groups = new Map<string, GroupState[]>();
  readonly writes: Write[] = [];
  reads = 0;
  /** Thrown by every read while set. */
  readError: unknown = undefined;
  /** Thrown by the next write (after applying it when `applyBeforeError`). */
  nextWriteError: unknown = undefined;
  applyBeforeError = false;
  /** While set, writes wait for it before answering. */
  gate: Promise<void> | undefined = undefined;
  /** Called as a read starts, e.g. to hold one request's read while another runs. */
  beforeRead: (() => Promise<void> | void) | undefined = undefined;
  /** Called as a write starts (before the gate), e.g. to look at the audit log mid-call. */
  beforeWrite: (() => Promise<void> | void) | undefined = undefined;
  private requestSeq = 0;

  constructor(groups: GroupState[] = []) {
    for (const g of groups) this.put(g);
  }

  put(g: GroupState): void {
    const list = (this.groups.get(g.region) ?? []).filter((x) => x.groupName !== g.groupName);
    this.groups.set(g.region, [...list, g]);
  }

  group(region: string, name: string): GroupState {
    const g = this.groups.get(region)?.find((x) => x.groupName === name);
    if (!g) throw new Error(`fake: no group ${name} in ${region}`);
    return g;
  }

  /** Move desired as if a policy or another operator did it. */
  setDesired(region: string, name: string, desired: number): void {
    const g = this.group(region, name);
    this.put({
      ...g,
      desired,
      instances: instances(Math.min(desired, g.instances.length), Math.max(0, desired - g.instances.length)),
    });
  }

  async listGroups(region: string): Promise<GroupState[]> {
    this.reads++;
    await this.beforeRead?.();
    if (this.readError) throw this.readError;
    return structuredClone(this.groups.get(region) ?? []);
  }

  async getMetricData() {
    return [];
  }

  async describeActivities() {
    return [];
  }

  async describeInstances(region: string, ids: string[]): Promise<InstanceDetail[]> {
    const wanted = new Set(ids);
    return (this.groups.get(region) ?? []).flatMap((g) =>
      g.instances
        .filter((i) => wanted.has(i.id))
        .map((i) => ({
          id: i.id,
          launchTime: i.launchTime,
          availabilityZone: i.availabilityZone,
          instanceType: i.instanceType,
          detailedMonitoring: true,
        })),
    );
  }

  async setDesiredCapacity(region: string, groupName: string, desired: number): Promise<WriteResult> {
    this.writes.push({ method: "setDesiredCapacity", region, group: groupName, desired });
    return this.write(region, groupName, { desired });
  }

  async updateGroupBounds(region: string, groupName: string, change: BoundsChange): Promise<WriteResult> {
    this.writes.push({ method: "updateGroupBounds", region, group: groupName, change });
    return this.write(region, groupName, change);
  }

  private async write(region: string, groupName: string, change: BoundsChange): Promise<WriteResult> {
    await this.beforeWrite?.();
    if (this.gate) await this.gate;
    const err = this.nextWriteError;
    this.nextWriteError = undefined;
    if (err && !this.applyBeforeError) throw err;
    const g = this.group(region, groupName);
    const next = { ...g, min: change.min ?? g.min, max: change.max ?? g.max };
    this.put(next);
    if (change.desired !== undefined) this.setDesired(region, groupName, change.desired);
    if (err) throw err;
    return { requestId: `req-${++this.requestSeq}` };
  }
}
