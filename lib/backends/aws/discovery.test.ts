import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeLaunchConfigurationsCommand,
} from "@aws-sdk/client-auto-scaling";
import { DescribeLaunchTemplateVersionsCommand, EC2Client, EC2ServiceException } from "@aws-sdk/client-ec2";
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  ElasticLoadBalancingV2ServiceException,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetQueueUrlCommand, QueueDoesNotExist, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { discoverAccount } from "./discovery";

// Discover's bad input against a stubbed SDK (what the emulator cannot do: refuse a permission).
// Every case is reported, and discovery goes on.

const asg = mockClient(AutoScalingClient);
const ec2 = mockClient(EC2Client);
const elb = mockClient(ElasticLoadBalancingV2Client);
const sqs = mockClient(SQSClient);
const meta = { $metadata: { httpStatusCode: 400, requestId: "req-1" } };
const TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/73e2d6bc24d8a067";
const LB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188";

const denied = (
  Ctor: typeof EC2ServiceException | typeof ElasticLoadBalancingV2ServiceException,
  action: string,
  code = "AccessDenied",
) =>
  new Ctor({
    ...meta,
    name: code,
    $fault: "client",
    message: `User: arn:aws:sts::123456789012:assumed-role/capstan is not authorized to perform: ${action}`,
  });

beforeEach(() => {
  asg.on(DescribeAutoScalingGroupsCommand).resolves({
    AutoScalingGroups: [
      {
        AutoScalingGroupName: "prod-web",
        MinSize: 1,
        MaxSize: 4,
        DesiredCapacity: 2,
        DefaultCooldown: 300,
        AvailabilityZones: ["us-east-1a"],
        HealthCheckType: "EC2",
        CreatedTime: new Date(0),
        TargetGroupARNs: [TG],
        LaunchTemplate: { LaunchTemplateName: "web", Version: "$Latest" },
        Tags: [
          { Key: "capstan:pool", Value: "web" },
          { Key: "capstan:queue", Value: "web-jobs" },
        ],
      },
      {
        AutoScalingGroupName: "prod-batch",
        MinSize: 0,
        MaxSize: 4,
        DesiredCapacity: 0,
        DefaultCooldown: 300,
        AvailabilityZones: ["us-east-1a"],
        HealthCheckType: "EC2",
        CreatedTime: new Date(0),
        LaunchConfigurationName: "batch-lc",
        Tags: [{ Key: "capstan:pool", Value: "batch" }],
      },
    ],
  });
  asg.on(DescribeLaunchConfigurationsCommand).resolves({
    LaunchConfigurations: [
      {
        LaunchConfigurationName: "batch-lc",
        InstanceType: "m5.large",
        InstanceMonitoring: { Enabled: false },
        ImageId: "ami-1",
        CreatedTime: new Date(0),
      },
    ],
  });
  ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({
    LaunchTemplateVersions: [
      { LaunchTemplateData: { InstanceType: "c5.large", Monitoring: { Enabled: true } } },
    ],
  });
  elb
    .on(DescribeTargetGroupsCommand)
    .resolves({ TargetGroups: [{ TargetGroupArn: TG, LoadBalancerArns: [LB] }] });
  elb
    .on(DescribeLoadBalancersCommand)
    .resolves({ LoadBalancers: [{ LoadBalancerArn: LB, Type: "application" }] });
  sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: "https://sqs/web-jobs" });
});

afterEach(() => {
  asg.reset();
  ec2.reset();
  elb.reset();
  sqs.reset();
});

const run = () => discoverAccount({ regions: ["us-east-1"], env: {} });

describe("discover on bad input", () => {
  it("resolves type, monitoring, page load and queue when everything is allowed", async () => {
    const { groups, notes } = await run();
    expect(groups.find((g) => g.name === "prod-web")).toMatchObject({
      instanceType: "c5.large",
      detailedMonitoring: true,
      pageLoad: { loadBalancer: "app/web/50dc6c495c0c9188", targetGroup: "targetgroup/web/73e2d6bc24d8a067" },
      queue: "web-jobs",
    });
    // A launch configuration's monitoring and type count too.
    expect(groups.find((g) => g.name === "prod-batch")).toMatchObject({
      instanceType: "m5.large",
      detailedMonitoring: false,
    });
    expect(notes).toEqual([]);
    expect(groups.find((g) => g.name === "prod-batch")?.notes).toEqual([
      "us-east-1 prod-batch: no target group, so no page load",
    ]);
    expect(groups.find((g) => g.name === "prod-web")?.notes).toEqual([]);
  });

  it("access denied on Elastic Load Balancing: says which permission, keeps every group", async () => {
    elb
      .on(DescribeTargetGroupsCommand)
      .rejects(denied(ElasticLoadBalancingV2ServiceException, "elasticloadbalancing:DescribeTargetGroups"));
    const { groups, notes } = await run();
    expect(groups.map((g) => g.name).sort()).toEqual(["prod-batch", "prod-web"]);
    expect(groups.find((g) => g.name === "prod-web")?.pageLoad).toBeUndefined();
    expect(notes.join("\n")).toContain(
      "access denied for elasticloadbalancing:DescribeTargetGroups: page load not resolved",
    );
  });

  it("access denied on EC2 launch templates: type and monitoring unknown, the rest resolved", async () => {
    ec2
      .on(DescribeLaunchTemplateVersionsCommand)
      .rejects(denied(EC2ServiceException, "ec2:DescribeLaunchTemplateVersions", "UnauthorizedOperation"));
    const { groups, notes } = await run();
    const web = groups.find((g) => g.name === "prod-web")!;
    expect(web.instanceType).toBeUndefined();
    expect(web.pageLoad).toBeDefined();
    expect(notes.join("\n")).toContain("access denied for ec2:DescribeLaunchTemplateVersions");
  });

  it("a queue tag naming no queue is reported and left out", async () => {
    sqs
      .on(GetQueueUrlCommand)
      .rejects(new QueueDoesNotExist({ ...meta, message: "The specified queue does not exist." }));
    const { groups, notes } = await run();
    expect(groups.find((g) => g.name === "prod-web")?.queue).toBeUndefined();
    expect(groups.find((g) => g.name === "prod-web")?.notes?.join("\n")).toContain(
      "capstan:queue=web-jobs names no queue in us-east-1",
    );
    expect(notes).toEqual([]);
  });
});
