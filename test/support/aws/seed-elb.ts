import {
  CreateLaunchTemplateCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { MOTO_CREDENTIALS } from "./moto";

// Seeding what discover and the target-group page load read: a VPC with two subnets, load
// balancers (application or network) with a target group behind a listener, target groups behind
// nothing, launch templates with or without detailed monitoring, and SQS queues.
// Moto differs from AWS here in one way that matters: it names every load balancer
// `loadbalancer/app/…`, network ones included (AWS: `net/…`). Capstan takes the type from
// DescribeLoadBalancers, which moto answers correctly, never from the ARN.

const config = (url: string, region: string) => ({
  region,
  endpoint: url,
  credentials: MOTO_CREDENTIALS,
  maxAttempts: 1,
});

export interface SeededTargetGroup {
  targetGroupArn: string;
  /** CloudWatch dimension values. */
  targetGroup: string;
  loadBalancer?: string;
}

/** A VPC and two subnets in the region (ELB wants two AZs); memoised per emulator and region. */
const vpcs = new Map<string, Promise<{ vpcId: string; subnets: string[] }>>();
export function seedVpc(url: string, region: string): Promise<{ vpcId: string; subnets: string[] }> {
  const key = `${url}|${region}`;
  let p = vpcs.get(key);
  if (!p) {
    p = (async () => {
      const ec2 = new EC2Client(config(url, region));
      try {
        const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }));
        const vpcId = vpc.Vpc!.VpcId!;
        const subnets: string[] = [];
        for (const [k, az] of ["a", "b"].entries()) {
          const s = await ec2.send(
            new CreateSubnetCommand({
              VpcId: vpcId,
              CidrBlock: `10.0.${k + 1}.0/24`,
              AvailabilityZone: `${region}${az}`,
            }),
          );
          subnets.push(s.Subnet!.SubnetId!);
        }
        return { vpcId, subnets };
      } finally {
        ec2.destroy();
      }
    })();
    vpcs.set(key, p);
  }
  return p;
}

/** Forget the memoised VPCs (after moto.reset()). */
export function forgetSeededVpcs(): void {
  vpcs.clear();
}

/** A target group, behind a new load balancer of the given type (listener forwarding to it), or behind none. */
export async function seedTargetGroup(
  url: string,
  region: string,
  name: string,
  behind: "application" | "network" | "none",
): Promise<SeededTargetGroup> {
  const { vpcId, subnets } = await seedVpc(url, region);
  const elb = new ElasticLoadBalancingV2Client(config(url, region));
  try {
    const tg = await elb.send(
      new CreateTargetGroupCommand({
        Name: name,
        Protocol: behind === "network" ? "TCP" : "HTTP",
        Port: 80,
        VpcId: vpcId,
      }),
    );
    const targetGroupArn = tg.TargetGroups![0]!.TargetGroupArn!;
    const targetGroup = targetGroupArn.slice(targetGroupArn.indexOf("targetgroup/"));
    if (behind === "none") return { targetGroupArn, targetGroup };
    const lb = await elb.send(
      new CreateLoadBalancerCommand({ Name: `${name}-lb`, Subnets: subnets, Type: behind }),
    );
    const lbArn = lb.LoadBalancers![0]!.LoadBalancerArn!;
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lbArn,
        Protocol: behind === "network" ? "TCP" : "HTTP",
        Port: 80,
        DefaultActions: [{ Type: "forward", TargetGroupArn: targetGroupArn }],
      }),
    );
    return {
      targetGroupArn,
      targetGroup,
      loadBalancer: lbArn.slice(lbArn.indexOf("loadbalancer/") + "loadbalancer/".length),
    };
  } finally {
    elb.destroy();
  }
}

/** A launch template with the given type and monitoring (the SDK's EC2 client). */
export async function seedLaunchTemplate(
  url: string,
  region: string,
  name: string,
  instanceType: string,
  detailedMonitoring: boolean,
) {
  const ec2 = new EC2Client(config(url, region));
  try {
    await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: name,
        LaunchTemplateData: {
          ImageId: "ami-12c6146b",
          InstanceType: instanceType as never,
          Monitoring: { Enabled: detailedMonitoring },
        },
      }),
    );
  } finally {
    ec2.destroy();
  }
}

export async function seedQueue(url: string, region: string, name: string): Promise<void> {
  const sqs = new SQSClient(config(url, region));
  try {
    await sqs.send(new CreateQueueCommand({ QueueName: name }));
  } finally {
    sqs.destroy();
  }
}
