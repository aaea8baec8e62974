import "server-only";
import {
  DescribeAutoScalingGroupsCommand,
  type AutoScalingClient,
  type AutoScalingGroup,
  type DescribeAutoScalingGroupsCommandInput,
  type Instance as AwsInstance,
} from "@aws-sdk/client-auto-scaling";
import type { FleetConfig } from "@/lib/config/schema";
import type { GroupState, HealthStatus, Instance, LifecycleState } from "@/lib/fleet/types";
import type { Automation } from "./automation";
import { mapped } from "./errors";
import { choosePageLoad, type TargetGroupLink } from "./target-groups";

// Discovery: every group carrying the discovery tag, plus the groups the configuration names.
// Cost per refresh: ceil(tagged groups / 100) describes, and one more (by name) only when a
// configured group does not carry the tag.

const PAGE = 100;

export interface GroupReader {
  client: AutoScalingClient;
  region: string;
  cfg: FleetConfig;
  automation: Promise<Automation>;
  /** Cached target group → load balancer lookup, for pools whose configuration has no page load. */
  targetGroups?: (arns: string[]) => Promise<Map<string, TargetGroupLink>>;
  signal?: AbortSignal;
}

export async function listGroups(r: GroupReader): Promise<GroupState[]> {
  const tagKey = r.cfg.discovery.tagKey;
  // The automation lookup runs alongside. It belongs to a cache shared by every refresh, so it
  // ignores this call's signal and may finish after a failed call; its own failure shows below.
  r.automation.catch(() => undefined);
  const tagged = await describeAll(r, { Filters: [{ Name: "tag-key", Values: [tagKey] }] });
  const found = new Set(tagged.map((g) => g.AutoScalingGroupName));
  const configured = configuredNames(r.cfg, r.region);
  const missing = [...configured.keys()].filter((name) => !found.has(name));
  const named: AutoScalingGroup[] = [];
  for (let i = 0; i < missing.length; i += PAGE) {
    named.push(...(await describeAll(r, { AutoScalingGroupNames: missing.slice(i, i + PAGE) })));
  }

  const automation = await r.automation;
  // The configuration's explicit "group G is pool P here" wins over tags: G is P whatever its tag
  // says, and no other group tagged P in this region is taken for P.
  const pinned = new Set(configured.values());
  const out: GroupState[] = [];
  const listed = new Set<string>();
  const needPageLoad = new Map<GroupState, string[]>();
  for (const g of [...tagged, ...named]) {
    const name = g.AutoScalingGroupName ?? "";
    const tags = tagsOf(g);
    const tagValue = tags[tagKey]?.trim();
    const poolId = configured.get(name) ?? (tagValue && !pinned.has(tagValue) ? tagValue : undefined);
    if (!name || !poolId || listed.has(name)) continue;
    listed.add(name);
    const state = toGroupState(g, r.region, poolId, tags, automation);
    out.push(state);
    const arns = g.TargetGroupARNs ?? [];
    if (arns.length > 0 && wantsPageLoad(r.cfg, poolId, tags)) needPageLoad.set(state, arns);
  }
  if (r.targetGroups && needPageLoad.size > 0) {
    const links = await r.targetGroups([...needPageLoad.values()].flat());
    for (const [state, arns] of needPageLoad) {
      const known = arns.map((a) => links.get(a)).filter((l): l is TargetGroupLink => !!l);
      const target = choosePageLoad(state.groupName, known).target;
      if (target) state.loadBalancerTarget = target;
    }
  }
  return out;
}

async function describeAll(
  r: GroupReader,
  input: DescribeAutoScalingGroupsCommandInput,
): Promise<AutoScalingGroup[]> {
  const groups: AutoScalingGroup[] = [];
  const seen = new Set<string>();
  let NextToken: string | undefined;
  do {
    const page = await mapped({ service: "autoscaling", region: r.region }, () =>
      r.client.send(new DescribeAutoScalingGroupsCommand({ ...input, MaxRecords: PAGE, NextToken }), {
        abortSignal: r.signal,
      }),
    );
    groups.push(...(page.AutoScalingGroups ?? []));
    NextToken = page.NextToken;
    // A token seen twice would loop forever; AWS never does it, an emulator might.
    if (NextToken && seen.has(NextToken)) break;
    if (NextToken) seen.add(NextToken);
  } while (NextToken);
  return groups;
}

/** A web pool (configured, or by its `capstan:tier` tag, or untold) with no page load of its own. */
function wantsPageLoad(cfg: FleetConfig, poolId: string, tags: Record<string, string>): boolean {
  const pool = cfg.pools.find((p) => p.id === poolId);
  if (pool) return pool.tier === "web" && !pool.metrics.pageLoad;
  const tier = tags["capstan:tier"];
  return tier === undefined || tier === "web";
}

/** group name → pool id, for the groups the configuration names in this region. */
function configuredNames(cfg: FleetConfig, region: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const pool of cfg.pools) {
    const name = pool.groups?.[region];
    if (name) names.set(name, pool.id);
  }
  return names;
}

function tagsOf(g: AutoScalingGroup): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const t of g.Tags ?? []) if (t.Key) tags[t.Key] = t.Value ?? "";
  return tags;
}

export function toGroupState(
  g: AutoScalingGroup,
  region: string,
  poolId: string,
  tags: Record<string, string>,
  automation: Automation,
): GroupState {
  const name = g.AutoScalingGroupName ?? "";
  const instances = (g.Instances ?? []).map(toInstance);
  return {
    poolId,
    region,
    groupName: name,
    min: g.MinSize ?? 0,
    max: g.MaxSize ?? 0,
    desired: g.DesiredCapacity ?? 0,
    instances,
    instanceTypes: instanceTypes(g, instances),
    hasScalingPolicies: automation.policies.has(name),
    hasScheduledActions: automation.scheduled.has(name),
    tags,
  };
}

function toInstance(i: AwsInstance): Instance {
  return {
    id: i.InstanceId ?? "",
    availabilityZone: i.AvailabilityZone ?? "",
    lifecycleState: lifecycle(i.LifecycleState),
    health: i.HealthStatus === "Unhealthy" ? "Unhealthy" : ("Healthy" satisfies HealthStatus),
    instanceType: i.InstanceType ?? "unknown",
    // Auto Scaling does not report launch times (only EC2 DescribeInstances does): unknown.
    launchTime: "",
  };
}

/** AWS has more states (Pending:Wait, Terminating:Proceed, Warmed:*…); each maps to the nearest. */
export function lifecycle(state: string | undefined): LifecycleState {
  const s = state ?? "";
  if (s === "InService") return "InService";
  if (s === "Terminated") return "Terminated";
  if (s.startsWith("Terminating")) return "Terminating";
  if (s === "Detaching" || s === "Detached") return "Detaching";
  if (s === "Standby" || s === "EnteringStandby") return "Standby";
  return "Pending"; // Pending, Pending:Wait, Pending:Proceed, Quarantined, Warmed:*
}

/** Types of the running instances; for an empty group, those a mixed-instances policy lists. */
function instanceTypes(g: AutoScalingGroup, instances: Instance[]): string[] {
  const fromInstances = instances.map((i) => i.instanceType).filter((t) => t !== "unknown");
  if (fromInstances.length > 0) return [...new Set(fromInstances)];
  const overrides = g.MixedInstancesPolicy?.LaunchTemplate?.Overrides ?? [];
  return [...new Set(overrides.map((o) => o.InstanceType).filter((t): t is string => !!t))];
}
