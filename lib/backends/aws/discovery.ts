import "server-only";
import {
  DescribeAutoScalingGroupsCommand,
  DescribeLaunchConfigurationsCommand,
  type AutoScalingGroup,
} from "@aws-sdk/client-auto-scaling";
import { DescribeLaunchTemplateVersionsCommand } from "@aws-sdk/client-ec2";
import { GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { DiscoveredGroup } from "@/lib/config/discover-pairing";
import { AwsClients, regionEndpoints } from "./clients";
import { addCallCounter } from "./calls";
import { isAccessDenied, mapped, toBackendError } from "./errors";
import { choosePageLoad, describeTargetGroups, type TargetGroupLink } from "./target-groups";

// `npm run discover`, the AWS half: reads the account, never writes to it. Per region: every
// Auto Scaling group, their launch templates / configurations (instance type, detailed
// monitoring), their target groups (the load balancer behind each), and whether each
// `capstan:queue` tag names a queue. Nothing here stops on bad input: what cannot be resolved
// (a group with no target group, a network load balancer, a missing queue, a permission the role
// lacks) becomes a note saying what and why, and discovery goes on.

export const QUEUE_TAG = "capstan:queue";

export interface DiscoveryOptions {
  regions: string[];
  env?: Record<string, string | undefined>;
  requestTimeoutMs?: number;
}

export interface DiscoveryResult {
  groups: DiscoveredGroup[];
  /** What could not be resolved, one line each. */
  notes: string[];
}

export async function discoverAccount(opts: DiscoveryOptions): Promise<DiscoveryResult> {
  const env = opts.env ?? process.env;
  const settings = {
    requestTimeoutMs: opts.requestTimeoutMs ?? 10_000,
    endpoints: regionEndpoints(opts.regions, env),
  };
  const clients = new AwsClients(settings);
  const sqs = new Map<string, SQSClient>();
  const sqsClient = (region: string) => {
    let c = sqs.get(region);
    if (!c) {
      c = new SQSClient({
        region,
        maxAttempts: 3,
        ...(settings.endpoints[region] ? { endpoint: settings.endpoints[region] } : {}),
      });
      addCallCounter(c, "sqs", region);
      sqs.set(region, c);
    }
    return c;
  };
  try {
    const parts = await Promise.all(
      opts.regions.map((region) => discoverRegion(region, clients, sqsClient(region))),
    );
    return { groups: parts.flatMap((p) => p.groups), notes: parts.flatMap((p) => p.notes) };
  } finally {
    clients.destroy();
    for (const c of sqs.values()) c.destroy();
  }
}

async function discoverRegion(region: string, clients: AwsClients, sqs: SQSClient): Promise<DiscoveryResult> {
  const notes: string[] = [];
  const said = new Set<string>();
  /** A refused call: say once per region which permission is missing and what is left unknown. */
  const denied = (fallback: string, consequence: string, err?: unknown) => {
    // AWS names the refused action in its message ("… is not authorized to perform: ec2:Describe…").
    const permission =
      /perform:?\s+([a-z0-9-]+:[A-Za-z0-9]+)/.exec((err as Error | undefined)?.message ?? "")?.[1] ??
      fallback;
    if (said.has(permission)) return;
    said.add(permission);
    notes.push(
      `${region}: access denied for ${permission}: ${consequence} (add it to the role's policy, see deploy/iam-policy.json)`,
    );
  };
  const failed = (what: string, err: unknown) =>
    notes.push(
      `${region}: ${what} failed: ${toBackendError(err, { service: "autoscaling", region }).message}`,
    );

  let asgs: AutoScalingGroup[];
  try {
    asgs = await allGroups(clients, region);
  } catch (err) {
    if (isAccessDenied(err))
      denied("autoscaling:DescribeAutoScalingGroups", "no group could be read in this region", err);
    else failed("DescribeAutoScalingGroups", err);
    return { groups: [], notes };
  }

  const launch = await launchSettings(clients, region, asgs, denied, failed);
  let links = new Map<string, TargetGroupLink>();
  const arns = asgs.flatMap((g) => g.TargetGroupARNs ?? []);
  if (arns.length > 0) {
    try {
      links = new Map(
        (await describeTargetGroups(clients.elbv2(region), region, arns)).map((l) => [l.arn, l]),
      );
    } catch (err) {
      if (isAccessDenied(err))
        denied("elasticloadbalancing:DescribeTargetGroups", "page load not resolved for any group", err);
      else failed("DescribeTargetGroups", err);
    }
  }

  const groups: DiscoveredGroup[] = [];
  for (const g of asgs) {
    const name = g.AutoScalingGroupName ?? "";
    const tags = Object.fromEntries((g.Tags ?? []).filter((t) => t.Key).map((t) => [t.Key!, t.Value ?? ""]));
    const settings = launch(g);
    const own: string[] = [];
    const out: DiscoveredGroup = { region, name, tags, ...settings, notes: own };
    const groupArns = g.TargetGroupARNs ?? [];
    if (groupArns.length > 0 && links.size > 0) {
      const choice = choosePageLoad(
        `${region} ${name}`,
        groupArns.map((a) => links.get(a)).filter((l): l is TargetGroupLink => !!l),
      );
      if (choice.target) out.pageLoad = choice.target;
      own.push(...choice.notes);
    } else if (groupArns.length === 0 && !tags[QUEUE_TAG] && (tags["capstan:tier"] ?? "web") === "web") {
      own.push(`${region} ${name}: no target group, so no page load`);
    }
    const queue = tags[QUEUE_TAG]?.trim();
    if (queue) {
      const exists = await queueExists(sqs, region, queue).catch((err: unknown) => {
        if (isAccessDenied(err)) denied("sqs:GetQueueUrl", "queue tags not checked", err);
        else own.push(`${region} ${name}: queue ${queue} could not be checked: ${(err as Error).message}`);
        return undefined;
      });
      if (exists === false)
        own.push(`${region} ${name}: ${QUEUE_TAG}=${queue} names no queue in ${region}: no backlog written`);
      else out.queue = queue;
    }
    groups.push(out);
  }
  return { groups, notes };
}

async function allGroups(clients: AwsClients, region: string): Promise<AutoScalingGroup[]> {
  const out: AutoScalingGroup[] = [];
  let NextToken: string | undefined;
  const seen = new Set<string>();
  do {
    const page = await mapped({ service: "autoscaling", region }, () =>
      clients.autoscaling(region).send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 100, NextToken })),
    );
    out.push(...(page.AutoScalingGroups ?? []));
    NextToken = page.NextToken;
    if (NextToken && seen.has(NextToken)) break;
    if (NextToken) seen.add(NextToken);
  } while (NextToken);
  return out.sort((a, b) => (a.AutoScalingGroupName ?? "").localeCompare(b.AutoScalingGroupName ?? ""));
}

type Launch = Pick<DiscoveredGroup, "instanceType" | "detailedMonitoring">;

/** Instance type and monitoring per group, from launch templates (one call per template version) and configurations. */
async function launchSettings(
  clients: AwsClients,
  region: string,
  asgs: AutoScalingGroup[],
  denied: (permission: string, consequence: string, err?: unknown) => void,
  failed: (what: string, err: unknown) => void,
): Promise<(g: AutoScalingGroup) => Launch> {
  const templates = new Map<string, Launch>();
  const configs = new Map<string, Launch>();
  const templateOf = (g: AutoScalingGroup) =>
    g.LaunchTemplate ?? g.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
  const templateKey = (t: NonNullable<ReturnType<typeof templateOf>>) =>
    `${t.LaunchTemplateId ?? t.LaunchTemplateName}|${t.Version ?? "$Default"}`;

  for (const g of asgs) {
    const t = templateOf(g);
    if (!t || templates.has(templateKey(t))) continue;
    try {
      const out = await mapped({ service: "ec2", region }, () =>
        clients.ec2(region).send(
          new DescribeLaunchTemplateVersionsCommand({
            ...(t.LaunchTemplateId
              ? { LaunchTemplateId: t.LaunchTemplateId }
              : { LaunchTemplateName: t.LaunchTemplateName }),
            Versions: [t.Version ?? "$Default"],
          }),
        ),
      );
      const data = out.LaunchTemplateVersions?.[0]?.LaunchTemplateData;
      templates.set(templateKey(t), {
        instanceType: data?.InstanceType,
        detailedMonitoring: data?.Monitoring?.Enabled === true,
      });
    } catch (err) {
      if (isAccessDenied(err))
        denied(
          "ec2:DescribeLaunchTemplateVersions",
          "instance type and monitoring unknown for groups with launch templates",
          err,
        );
      else failed(`DescribeLaunchTemplateVersions (${t.LaunchTemplateName ?? t.LaunchTemplateId})`, err);
      templates.set(templateKey(t), {});
    }
  }

  const names = [...new Set(asgs.map((g) => g.LaunchConfigurationName).filter((n): n is string => !!n))];
  for (let i = 0; i < names.length; i += 50) {
    try {
      const out = await mapped({ service: "autoscaling", region }, () =>
        clients
          .autoscaling(region)
          .send(
            new DescribeLaunchConfigurationsCommand({ LaunchConfigurationNames: names.slice(i, i + 50) }),
          ),
      );
      for (const c of out.LaunchConfigurations ?? []) {
        configs.set(c.LaunchConfigurationName ?? "", {
          instanceType: c.InstanceType,
          detailedMonitoring: c.InstanceMonitoring?.Enabled !== false,
        });
      }
    } catch (err) {
      if (isAccessDenied(err))
        denied(
          "autoscaling:DescribeLaunchConfigurations",
          "instance type and monitoring unknown for groups with launch configurations",
          err,
        );
      else failed("DescribeLaunchConfigurations", err);
    }
  }

  return (g) => {
    const t = templateOf(g);
    const base: Launch = t
      ? (templates.get(templateKey(t)) ?? {})
      : g.LaunchConfigurationName
        ? (configs.get(g.LaunchConfigurationName) ?? {})
        : {};
    // A mixed-instances policy's overrides name the types actually launched.
    const override = g.MixedInstancesPolicy?.LaunchTemplate?.Overrides?.find(
      (o) => o.InstanceType,
    )?.InstanceType;
    const running = g.Instances?.find((i) => i.InstanceType)?.InstanceType;
    return { ...base, instanceType: override ?? base.instanceType ?? running };
  };
}

async function queueExists(sqs: SQSClient, region: string, queue: string): Promise<boolean> {
  try {
    await mapped({ service: "sqs", region }, () => sqs.send(new GetQueueUrlCommand({ QueueName: queue })));
    return true;
  } catch (err) {
    const code = (err as { code?: string }).code ?? "";
    if (/NonExistentQueue|QueueDoesNotExist/.test(code)) return false;
    throw err;
  }
}
