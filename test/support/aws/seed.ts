import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  PutScalingPolicyCommand,
  PutScheduledUpdateGroupActionCommand,
} from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from "@aws-sdk/client-cloudwatch";
import { MOTO_CREDENTIALS } from "./moto";
import { seedTargetGroup } from "./seed-elb";

// Seeding the emulator: launch templates (EC2), then groups carrying the discovery tag, then
// metric data. These clients name the endpoint and credentials explicitly, so seeding never
// depends on (or disturbs) the environment the backend under test reads.

export interface SeedGroup {
  name: string;
  /** Value of the discovery tag; omit for a group only the configuration names (or nobody). */
  pool?: string;
  tags?: Record<string, string>;
  min: number;
  max: number;
  desired: number;
  instanceType?: string;
  /** Attach a target-tracking policy / a scheduled action (hasScalingPolicies / hasScheduledActions). */
  scalingPolicy?: boolean;
  scheduledAction?: boolean;
  /** Target groups to attach (their ARNs; see ./seed-elb.ts). */
  targetGroupArns?: string[];
  /** Create a target group of this name behind a new application load balancer, and attach it. */
  behindAlb?: string;
  /** An existing launch template to use instead of the one made for `instanceType`. */
  launchTemplate?: string;
}

export interface MetricSeed {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  unit?: "Percent" | "Seconds" | "Milliseconds" | "Count";
  /** Raw samples; CloudWatch aggregates them per period (Average, Maximum…). */
  samples: { timestamp: number; value: number }[];
}

const clientConfig = (url: string, region: string) => ({
  region,
  endpoint: url,
  credentials: MOTO_CREDENTIALS,
  maxAttempts: 1,
});

/** Creates the groups of one region (and the launch templates they need). */
export async function seedGroups(url: string, region: string, groups: SeedGroup[], tagKey = "capstan:pool") {
  const types = [
    ...new Set(groups.filter((g) => !g.launchTemplate).map((g) => g.instanceType ?? "t3.micro")),
  ];
  for (const type of types) await createLaunchTemplate(url, region, templateName(type), type);

  const client = new AutoScalingClient(clientConfig(url, region));
  try {
    for (const g of groups) {
      const alb = g.behindAlb
        ? [(await seedTargetGroup(url, region, g.behindAlb, "application")).targetGroupArn]
        : [];
      const targetGroupArns = [...(g.targetGroupArns ?? []), ...alb];
      const tags = { ...(g.pool ? { [tagKey]: g.pool } : {}), ...g.tags };
      await client.send(
        new CreateAutoScalingGroupCommand({
          AutoScalingGroupName: g.name,
          MinSize: g.min,
          MaxSize: g.max,
          DesiredCapacity: g.desired,
          LaunchTemplate: {
            LaunchTemplateName: g.launchTemplate ?? templateName(g.instanceType ?? "t3.micro"),
            Version: "$Latest",
          },
          AvailabilityZones: [`${region}a`],
          ...(targetGroupArns.length ? { TargetGroupARNs: targetGroupArns } : {}),
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value, PropagateAtLaunch: false })),
        }),
      );
      if (g.scalingPolicy) {
        await client.send(
          new PutScalingPolicyCommand({
            AutoScalingGroupName: g.name,
            PolicyName: "cpu-target",
            PolicyType: "TargetTrackingScaling",
            TargetTrackingConfiguration: {
              PredefinedMetricSpecification: { PredefinedMetricType: "ASGAverageCPUUtilization" },
              TargetValue: 50,
            },
          }),
        );
      }
      if (g.scheduledAction) {
        await client.send(
          new PutScheduledUpdateGroupActionCommand({
            AutoScalingGroupName: g.name,
            ScheduledActionName: "nightly",
            Recurrence: "0 22 * * *",
            DesiredCapacity: g.min,
          }),
        );
      }
    }
  } finally {
    client.destroy();
  }
}

/** Writes raw samples with PutMetricData (1,000 data per call at most). */
export async function putMetricSeries(url: string, region: string, seed: MetricSeed): Promise<void> {
  const client = new CloudWatchClient(clientConfig(url, region));
  const data: MetricDatum[] = seed.samples.map((s) => ({
    MetricName: seed.metricName,
    Dimensions: Object.entries(seed.dimensions).map(([Name, Value]) => ({ Name, Value })),
    Timestamp: new Date(s.timestamp),
    Value: s.value,
    Unit: seed.unit ?? "Percent",
  }));
  try {
    for (let i = 0; i < data.length; i += 1000) {
      await client.send(
        new PutMetricDataCommand({ Namespace: seed.namespace, MetricData: data.slice(i, i + 1000) }),
      );
    }
  } finally {
    client.destroy();
  }
}

export const templateName = (instanceType: string) => `capstan-${instanceType.replace(/\W/g, "-")}`;

/**
 * EC2 CreateLaunchTemplate as a plain Query-protocol POST (no EC2 SDK client in the project).
 * Moto routes by the credential scope of the Authorization header and checks no signature.
 */
export async function createLaunchTemplate(url: string, region: string, name: string, instanceType: string) {
  const body = new URLSearchParams({
    Action: "CreateLaunchTemplate",
    Version: "2016-11-15",
    LaunchTemplateName: name,
    "LaunchTemplateData.ImageId": "ami-12c6146b",
    "LaunchTemplateData.InstanceType": instanceType,
  });
  const res = await fetch(url, {
    method: "POST",
    body,
    headers: {
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      authorization: `AWS4-HMAC-SHA256 Credential=${MOTO_CREDENTIALS.accessKeyId}/20240101/${region}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
    },
  });
  const text = await res.text();
  // Re-seeding after a partial failure should not trip over a template that already exists.
  if (!res.ok && !text.includes("AlreadyExists")) {
    throw new Error(`CreateLaunchTemplate ${name} in ${region}: HTTP ${res.status} ${text.slice(0, 300)}`);
  }
}
