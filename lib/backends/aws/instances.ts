import "server-only";
import { DescribeInstancesCommand, type EC2Client, type Instance as Ec2Instance } from "@aws-sdk/client-ec2";
import type { InstanceDetail } from "@/lib/fleet/types";
import { mapped } from "./errors";

// What Auto Scaling does not say about an instance (launch time, detailed monitoring), from EC2
// DescribeInstances: only for the instances of the one pool a page shows, filtered by id, at most
// 200 ids per call (EC2's limit of values in one filter), every NextToken followed.

export const INSTANCE_IDS_PER_CALL = 200;

export async function describeInstances(
  client: EC2Client,
  region: string,
  instanceIds: string[],
  signal?: AbortSignal,
): Promise<InstanceDetail[]> {
  const ids = [...new Set(instanceIds.filter(Boolean))];
  const out: InstanceDetail[] = [];
  for (let i = 0; i < ids.length; i += INSTANCE_IDS_PER_CALL) {
    // A filter, not InstanceIds: an instance terminated since the group was read is left out
    // instead of failing the whole call with InvalidInstanceID.NotFound.
    const Filters = [{ Name: "instance-id", Values: ids.slice(i, i + INSTANCE_IDS_PER_CALL) }];
    let NextToken: string | undefined;
    do {
      const page = await mapped({ service: "ec2", region }, () =>
        client.send(new DescribeInstancesCommand({ Filters, NextToken, MaxResults: 1000 }), {
          abortSignal: signal,
        }),
      );
      for (const r of page.Reservations ?? []) for (const inst of r.Instances ?? []) out.push(toDetail(inst));
      NextToken = page.NextToken;
    } while (NextToken);
  }
  return out;
}

function toDetail(i: Ec2Instance): InstanceDetail {
  return {
    id: i.InstanceId ?? "",
    launchTime: i.LaunchTime ? i.LaunchTime.toISOString() : "",
    availabilityZone: i.Placement?.AvailabilityZone ?? "",
    instanceType: i.InstanceType ?? "unknown",
    detailedMonitoring: i.Monitoring?.State === "enabled" || i.Monitoring?.State === "pending",
  };
}
