import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { loadBalancerDimension, targetGroupDimension } from "@/lib/config/load-balancer-metrics";
import { TARGET_GROUP_TTL_MS, TargetGroupCache } from "./target-group-cache";
import { choosePageLoad, type TargetGroupLink } from "./target-groups";

const elb = mockClient(ElasticLoadBalancingV2Client);
afterEach(() => elb.reset());

const ARN = (n: number) =>
  `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg${n}/00000000000000${n.toString().padStart(2, "0")}`;
const ALB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188";

describe("target group → page load", () => {
  it("turns ARNs into CloudWatch dimension values", () => {
    expect(targetGroupDimension(ARN(1))).toBe("targetgroup/tg1/0000000000000001");
    expect(loadBalancerDimension(ALB)).toBe("app/web/50dc6c495c0c9188");
    expect(loadBalancerDimension("arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/net/tcp/abc")).toBe(
      "net/tcp/abc",
    );
    expect(targetGroupDimension("not an arn")).toBeNull();
  });

  it("takes the first target group behind an application load balancer and names what it cannot use", () => {
    const link = (n: number, lbs: TargetGroupLink["loadBalancers"]): TargetGroupLink => ({
      arn: ARN(n),
      targetGroup: `targetgroup/tg${n}/x`,
      loadBalancers: lbs,
    });
    const choice = choosePageLoad("g", [
      link(1, []),
      link(2, [{ arn: "n", dimension: "net/tcp/1", type: "network" }]),
      link(3, [{ arn: ALB, dimension: "app/web/1", type: "application" }]),
    ]);
    expect(choice.target).toEqual({ loadBalancer: "app/web/1", targetGroup: "targetgroup/tg3/x" });
    expect(choice.notes.join("\n")).toMatch(/tg1\/x is behind no load balancer/);
    expect(choice.notes.join("\n")).toMatch(
      /net\/tcp\/1 is a network load balancer, which publishes no TargetResponseTime/,
    );
    expect(choosePageLoad("g", []).target).toBeUndefined();
  });

  it("is cached per target group: one DescribeTargetGroups per 20 ARNs, again only after the TTL", async () => {
    elb.on(DescribeTargetGroupsCommand).callsFake((input: { TargetGroupArns: string[] }) => ({
      TargetGroups: input.TargetGroupArns.map((a) => ({ TargetGroupArn: a, LoadBalancerArns: [ALB] })),
    }));
    elb
      .on(DescribeLoadBalancersCommand)
      .resolves({ LoadBalancers: [{ LoadBalancerArn: ALB, Type: "application" }] });
    let t = 0;
    const cache = new TargetGroupCache(
      () => new ElasticLoadBalancingV2Client({ region: "us-east-1" }),
      () => t,
    );
    const arns = Array.from({ length: 25 }, (_, k) => ARN(k));
    const first = await cache.get("us-east-1", arns);
    expect(first.size).toBe(25);
    expect(first.get(ARN(3))?.loadBalancers[0]).toMatchObject({
      dimension: "app/web/50dc6c495c0c9188",
      type: "application",
    });
    expect(elb.commandCalls(DescribeTargetGroupsCommand)).toHaveLength(2);
    await cache.get("us-east-1", arns);
    expect(elb.commandCalls(DescribeTargetGroupsCommand)).toHaveLength(2);
    t += TARGET_GROUP_TTL_MS;
    await cache.get("us-east-1", [ARN(1)]);
    expect(elb.commandCalls(DescribeTargetGroupsCommand)).toHaveLength(3);
  });

  it("a failed lookup keeps the last answer and does not throw", async () => {
    elb
      .on(DescribeTargetGroupsCommand)
      .resolvesOnce({ TargetGroups: [{ TargetGroupArn: ARN(1), LoadBalancerArns: [ALB] }] })
      .rejects(new Error("boom"));
    elb
      .on(DescribeLoadBalancersCommand)
      .resolves({ LoadBalancers: [{ LoadBalancerArn: ALB, Type: "application" }] });
    let t = 0;
    const cache = new TargetGroupCache(
      () => new ElasticLoadBalancingV2Client({ region: "us-east-1" }),
      () => t,
    );
    expect((await cache.get("us-east-1", [ARN(1)])).size).toBe(1);
    t += TARGET_GROUP_TTL_MS;
    expect((await cache.get("us-east-1", [ARN(1)])).get(ARN(1))?.targetGroup).toBe(
      "targetgroup/tg1/0000000000000001",
    );
  });

  it("a lookup that hangs does not hold the caller past its wait; its answer serves the next call", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    elb.on(DescribeTargetGroupsCommand).callsFake(async () => {
      await gate;
      return { TargetGroups: [{ TargetGroupArn: ARN(1), LoadBalancerArns: [ALB] }] };
    });
    elb
      .on(DescribeLoadBalancersCommand)
      .resolves({ LoadBalancers: [{ LoadBalancerArn: ALB, Type: "application" }] });
    const cache = new TargetGroupCache(
      () => new ElasticLoadBalancingV2Client({ region: "us-east-1" }),
      Date.now,
      20,
    );
    expect((await cache.get("us-east-1", [ARN(1)])).size).toBe(0);
    release();
    await expect.poll(async () => (await cache.get("us-east-1", [ARN(1)])).size).toBe(1);
  });
});
