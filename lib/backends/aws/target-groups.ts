import "server-only";
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
  type TargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { loadBalancerDimension, targetGroupDimension } from "@/lib/config/load-balancer-metrics";
import { mapped } from "./errors";

// From a group's TargetGroupARNs to the CloudWatch dimensions of its page load: DescribeTargetGroups
// names each target group's load balancers, DescribeLoadBalancers says which are application load
// balancers (only those publish TargetResponseTime). The type is taken from the API, not guessed
// from the ARN. Used by discover and, cached, by the backend for pools with no page load configured.

/** DescribeTargetGroups and DescribeLoadBalancers take at most 20 ARNs each. */
export const TARGET_GROUPS_PER_CALL = 20;
export const LOAD_BALANCERS_PER_CALL = 20;

export interface TargetGroupLink {
  arn: string;
  /** `targetgroup/<name>/<id>` */
  targetGroup: string;
  loadBalancers: { arn: string; dimension: string; type: "application" | "network" | "gateway" }[];
  /** Set when AWS no longer knows the target group. */
  missing?: boolean;
}

export async function describeTargetGroups(
  client: ElasticLoadBalancingV2Client,
  region: string,
  arns: string[],
  signal?: AbortSignal,
): Promise<TargetGroupLink[]> {
  const unique = [...new Set(arns)];
  const out: TargetGroupLink[] = [];
  for (let i = 0; i < unique.length; i += TARGET_GROUPS_PER_CALL) {
    const chunk = unique.slice(i, i + TARGET_GROUPS_PER_CALL);
    out.push(...(await describeChunk(client, region, chunk, signal)));
  }
  const lbArns = [...new Set(out.flatMap((l) => l.loadBalancers.map((lb) => lb.arn)))];
  const types = new Map<string, string>();
  for (let i = 0; i < lbArns.length; i += LOAD_BALANCERS_PER_CALL) {
    const page = await mapped({ service: "elasticloadbalancing", region }, () =>
      client.send(
        new DescribeLoadBalancersCommand({ LoadBalancerArns: lbArns.slice(i, i + LOAD_BALANCERS_PER_CALL) }),
        { abortSignal: signal },
      ),
    );
    for (const lb of page.LoadBalancers ?? [])
      if (lb.LoadBalancerArn && lb.Type) types.set(lb.LoadBalancerArn, lb.Type);
  }
  for (const link of out) {
    for (const lb of link.loadBalancers) {
      const type = types.get(lb.arn);
      if (type === "application" || type === "network" || type === "gateway") lb.type = type;
    }
  }
  return out;
}

async function describeChunk(
  client: ElasticLoadBalancingV2Client,
  region: string,
  arns: string[],
  signal?: AbortSignal,
): Promise<TargetGroupLink[]> {
  try {
    const page = await mapped({ service: "elasticloadbalancing", region }, () =>
      client.send(new DescribeTargetGroupsCommand({ TargetGroupArns: arns }), { abortSignal: signal }),
    );
    return (page.TargetGroups ?? []).map(toLink);
  } catch (err) {
    // One deleted target group fails the whole call: ask for the others one by one.
    if ((err as { code?: string }).code !== "TargetGroupNotFound") throw err;
    if (arns.length === 1)
      return [
        {
          arn: arns[0]!,
          targetGroup: targetGroupDimension(arns[0]!) ?? arns[0]!,
          loadBalancers: [],
          missing: true,
        },
      ];
    const each = await Promise.all(arns.map((a) => describeChunk(client, region, [a], signal)));
    return each.flat();
  }
}

function toLink(tg: TargetGroup): TargetGroupLink {
  const arn = tg.TargetGroupArn ?? "";
  return {
    arn,
    targetGroup: targetGroupDimension(arn) ?? arn,
    loadBalancers: (tg.LoadBalancerArns ?? []).flatMap((lb) => {
      const dimension = loadBalancerDimension(lb);
      if (!dimension) return [];
      // Provisional, from the ARN; DescribeLoadBalancers' answer replaces it.
      const type: "application" | "network" | "gateway" = dimension.startsWith("app/")
        ? "application"
        : dimension.startsWith("net/")
          ? "network"
          : "gateway";
      return [{ arn: lb, dimension, type }];
    }),
  };
}

export interface PageLoadChoice {
  /** The dimensions to draw page load from, when one target group sits behind an application load balancer. */
  target?: { loadBalancer: string; targetGroup: string };
  /** Why not, or what else was found, in words (discover prints these). */
  notes: string[];
}

/**
 * The first target group behind an application load balancer. A network load balancer has no
 * TargetResponseTime, a target group behind nothing has no traffic: both are said, not guessed.
 */
export function choosePageLoad(groupName: string, links: TargetGroupLink[]): PageLoadChoice {
  const notes: string[] = [];
  if (links.length === 0)
    return {
      notes: [
        `${groupName}: no target group, so no page load (attach it to a target group, or set metrics.pageLoad by hand)`,
      ],
    };
  let target: PageLoadChoice["target"];
  for (const link of links) {
    if (link.missing) {
      notes.push(`${groupName}: target group ${link.targetGroup} no longer exists`);
      continue;
    }
    const albs = link.loadBalancers.filter((lb) => lb.type === "application");
    if (link.loadBalancers.length === 0)
      notes.push(
        `${groupName}: target group ${link.targetGroup} is behind no load balancer, so it has no page load`,
      );
    for (const lb of link.loadBalancers.filter((l) => l.type !== "application")) {
      notes.push(
        `${groupName}: ${lb.dimension} is a ${lb.type} load balancer, which publishes no TargetResponseTime: no page load from it`,
      );
    }
    if (albs.length > 1)
      notes.push(
        `${groupName}: target group ${link.targetGroup} is behind ${albs.length} load balancers; page load uses ${albs[0]!.dimension}`,
      );
    if (albs.length > 0 && !target)
      target = { loadBalancer: albs[0]!.dimension, targetGroup: link.targetGroup };
    else if (albs.length > 0)
      notes.push(
        `${groupName}: also in target group ${link.targetGroup}; page load uses ${target!.targetGroup}`,
      );
  }
  return { target, notes };
}
