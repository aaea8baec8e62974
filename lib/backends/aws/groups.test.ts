import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribePoliciesCommand,
  DescribeScheduledActionsCommand,
  type AutoScalingGroup,
} from "@aws-sdk/client-auto-scaling";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAwsBackend } from ".";
import { AUTOMATION_TTL_MS } from "./automation";
import { lifecycle } from "./groups";
import { stubbedConfig } from "@/test/support/aws/stubbed";

// Discovery against a stubbed SDK: paging, configured names, mapping, the automation cache.

const asg = mockClient(AutoScalingClient);
const meta = { $metadata: { httpStatusCode: 200, requestId: "req-1" } };

const cfg = stubbedConfig({
  id: "legacy",
  name: "Legacy",
  tier: "worker",
  groups: { "us-east-1": "legacy-batch", "us-west-2": "legacy-dr" },
  instance: { type: "m5.large", hourlyPrice: 0.1 },
});

const group = (name: string, pool?: string, extra: Partial<AutoScalingGroup> = {}): AutoScalingGroup => ({
  AutoScalingGroupName: name,
  DefaultCooldown: 300,
  AvailabilityZones: ["us-east-1a"],
  HealthCheckType: "EC2",
  CreatedTime: new Date(0),
  MinSize: 1,
  MaxSize: 5,
  DesiredCapacity: 2,
  Instances: [],
  Tags: pool ? [{ Key: "capstan:pool", Value: pool }] : [],
  ...extra,
});

beforeEach(() => {
  asg.reset();
  asg.on(DescribePoliciesCommand).resolves({ ScalingPolicies: [], ...meta });
  asg.on(DescribeScheduledActionsCommand).resolves({ ScheduledUpdateGroupActions: [], ...meta });
});
afterEach(() => asg.reset());

describe("listGroups", () => {
  it("asks by tag, 100 a page, and follows NextToken over three pages", async () => {
    const tagged = Array.from({ length: 250 }, (_, i) => group(`g-${i}`, `pool-${i}`));
    asg
      .on(DescribeAutoScalingGroupsCommand, {
        NextToken: undefined,
        Filters: [{ Name: "tag-key", Values: ["capstan:pool"] }],
      })
      .resolves({ AutoScalingGroups: tagged.slice(0, 100), NextToken: "t1", ...meta })
      .on(DescribeAutoScalingGroupsCommand, { NextToken: "t1" })
      .resolves({ AutoScalingGroups: tagged.slice(100, 200), NextToken: "t2", ...meta })
      .on(DescribeAutoScalingGroupsCommand, { NextToken: "t2" })
      .resolves({ AutoScalingGroups: tagged.slice(200), ...meta })
      .on(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: ["legacy-batch"] })
      .resolves({ AutoScalingGroups: [], ...meta });

    const groups = await createAwsBackend(cfg, {}).listGroups("us-east-1");

    expect(groups.map((g) => g.groupName)).toEqual(tagged.map((g) => g.AutoScalingGroupName));
    expect(groups[249]!.poolId).toBe("pool-249");
    const calls = asg.commandCalls(DescribeAutoScalingGroupsCommand).map((c) => c.args[0].input);
    expect(calls.map((i) => [i.NextToken, i.MaxRecords, i.AutoScalingGroupNames])).toEqual([
      [undefined, 100, undefined],
      ["t1", 100, undefined],
      ["t2", 100, undefined],
      [undefined, 100, ["legacy-batch"]], // the configured group the tag did not find
    ]);
  });

  it("adds configured groups the tag misses with one call by name, and skips that call when none is missing", async () => {
    asg
      .on(DescribeAutoScalingGroupsCommand, { Filters: [{ Name: "tag-key", Values: ["capstan:pool"] }] })
      .resolves({ AutoScalingGroups: [group("app-dr", "app")], ...meta })
      .on(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: ["legacy-dr"] })
      .resolves({ AutoScalingGroups: [group("legacy-dr")], ...meta });
    const backend = createAwsBackend(cfg, {});

    const groups = await backend.listGroups("us-west-2");
    expect(groups.map((g) => [g.poolId, g.groupName])).toEqual([
      ["app", "app-dr"],
      ["legacy", "legacy-dr"],
    ]);

    asg.reset();
    asg.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [group("app-dr", "app"), group("legacy-dr", "something-else")],
      ...meta,
    });
    const again = await backend.listGroups("us-west-2");
    expect(asg.commandCalls(DescribeAutoScalingGroupsCommand)).toHaveLength(1);
    // The configuration's "legacy-dr is pool legacy" wins over a tag that says otherwise.
    expect(again.map((g) => g.poolId)).toEqual(["app", "legacy"]);
  });

  it("a group tagged with a pool the configuration pins to another group is not taken for that pool", async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [group("legacy-dr-new", "legacy"), group("legacy-dr", "legacy")],
      ...meta,
    });
    const groups = await createAwsBackend(cfg, {}).listGroups("us-west-2");
    expect(groups.map((g) => [g.poolId, g.groupName])).toEqual([["legacy", "legacy-dr"]]);
  });

  it("maps a group to Capstan's shape: bounds, instances, types, tags", async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        group("app-1", "app", {
          MinSize: 2,
          MaxSize: 9,
          DesiredCapacity: 3,
          Tags: [
            { Key: "capstan:pool", Value: "app" },
            { Key: "team", Value: "core" },
          ],
          Instances: [
            {
              InstanceId: "i-1",
              AvailabilityZone: "us-east-1a",
              LifecycleState: "InService",
              HealthStatus: "Healthy",
              InstanceType: "c5.large",
              ProtectedFromScaleIn: false,
            },
            {
              InstanceId: "i-2",
              AvailabilityZone: "us-east-1b",
              LifecycleState: "Pending:Wait",
              HealthStatus: "Healthy",
              InstanceType: "c5.xlarge",
              ProtectedFromScaleIn: false,
            },
            {
              InstanceId: "i-3",
              AvailabilityZone: "us-east-1c",
              LifecycleState: "Terminating:Proceed",
              HealthStatus: "Unhealthy",
              InstanceType: "c5.large",
              ProtectedFromScaleIn: false,
            },
          ],
        }),
        group("empty-mixed", "batch", {
          DesiredCapacity: 0,
          MixedInstancesPolicy: {
            LaunchTemplate: { Overrides: [{ InstanceType: "m5.large" }, { InstanceType: "m6i.large" }] },
          },
        }),
      ],
      ...meta,
    });
    const [app, batch] = await createAwsBackend(cfg, {}).listGroups("us-east-1");
    expect(app).toEqual({
      poolId: "app",
      region: "us-east-1",
      groupName: "app-1",
      min: 2,
      max: 9,
      desired: 3,
      instances: [
        {
          id: "i-1",
          availabilityZone: "us-east-1a",
          lifecycleState: "InService",
          health: "Healthy",
          instanceType: "c5.large",
          launchTime: "",
        },
        {
          id: "i-2",
          availabilityZone: "us-east-1b",
          lifecycleState: "Pending",
          health: "Healthy",
          instanceType: "c5.xlarge",
          launchTime: "",
        },
        {
          id: "i-3",
          availabilityZone: "us-east-1c",
          lifecycleState: "Terminating",
          health: "Unhealthy",
          instanceType: "c5.large",
          launchTime: "",
        },
      ],
      instanceTypes: ["c5.large", "c5.xlarge"],
      hasScalingPolicies: false,
      hasScheduledActions: false,
      tags: { "capstan:pool": "app", team: "core" },
    });
    expect(batch!.instanceTypes).toEqual(["m5.large", "m6i.large"]);
  });

  it.each([
    ["InService", "InService"],
    ["Pending", "Pending"],
    ["Pending:Proceed", "Pending"],
    ["Quarantined", "Pending"],
    ["Terminating:Wait", "Terminating"],
    ["Terminated", "Terminated"],
    ["Detached", "Detaching"],
    ["EnteringStandby", "Standby"],
    ["Standby", "Standby"],
  ])("lifecycle %s shows as %s", (aws, capstan) => {
    expect(lifecycle(aws)).toBe(capstan);
  });

  it("reads policies and scheduled actions once per ten minutes per region, paging both", async () => {
    let clock = 1_000_000;
    asg
      .on(DescribeAutoScalingGroupsCommand)
      .resolves({
        AutoScalingGroups: [group("app-1", "app"), group("app-2", "other"), group("app-3", "third")],
        ...meta,
      })
      .on(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: ["legacy-batch"] })
      .resolves({ AutoScalingGroups: [], ...meta });
    asg
      .on(DescribePoliciesCommand, { NextToken: undefined })
      .resolves({ ScalingPolicies: [{ AutoScalingGroupName: "app-1" }], NextToken: "p2", ...meta })
      .on(DescribePoliciesCommand, { NextToken: "p2" })
      .resolves({ ScalingPolicies: [{ AutoScalingGroupName: "app-2" }], ...meta });
    asg
      .on(DescribeScheduledActionsCommand)
      .resolves({ ScheduledUpdateGroupActions: [{ AutoScalingGroupName: "app-3" }], ...meta });
    const backend = createAwsBackend(cfg, {}, { now: () => clock });

    const first = await backend.listGroups("us-east-1");
    expect(first.map((g) => [g.groupName, g.hasScalingPolicies, g.hasScheduledActions])).toEqual([
      ["app-1", true, false],
      ["app-2", true, false],
      ["app-3", false, true],
    ]);
    expect(asg.commandCalls(DescribePoliciesCommand)).toHaveLength(2);

    clock += AUTOMATION_TTL_MS - 1;
    await Promise.all([backend.listGroups("us-east-1"), backend.listGroups("us-east-1")]);
    expect(asg.commandCalls(DescribePoliciesCommand)).toHaveLength(2);
    expect(asg.commandCalls(DescribeScheduledActionsCommand)).toHaveLength(1);

    clock += 2;
    await Promise.all([backend.listGroups("us-east-1"), backend.listGroups("us-east-1")]);
    expect(asg.commandCalls(DescribePoliciesCommand)).toHaveLength(4); // one refresh (two pages), shared
    expect(asg.commandCalls(DescribeScheduledActionsCommand)).toHaveLength(2);
  });

  it("refuses a region the configuration does not name, without calling AWS", async () => {
    await expect(createAwsBackend(cfg, {}).listGroups("eu-west-1")).rejects.toMatchObject({
      code: "UnknownRegion",
    });
    expect(asg.calls()).toHaveLength(0);
  });
});
