import { readFileSync } from "node:fs";
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { MOTO_CREDENTIALS, MOTO_PRIMARY } from "@/test/support/aws";
import { expect, test } from "../fixtures";
import { AWS_E2E_STATE_FILE } from "./env";

// The pool page with `backend: aws` against moto (see overview.spec.ts for the setup). `shop` is a
// pool only its tag names (test/support/aws/fleet.ts): its page load comes from its
// group's target group. Moto answers GetMetricData with a p90 statistic with HTTP 500 once data
// exists, so no TargetResponseTime is seeded and the page is checked for the series' source (the
// load balancer and target group it asks CloudWatch for), not for values.

const emulator = () => {
  const { url } = JSON.parse(readFileSync(AWS_E2E_STATE_FILE, "utf8")) as { url: string };
  return { region: MOTO_PRIMARY, endpoint: url, credentials: MOTO_CREDENTIALS, maxAttempts: 1 };
};

/** The shop target group's CloudWatch dimension values, straight from the emulator. */
async function shopDimensions() {
  const elb = new ElasticLoadBalancingV2Client(emulator());
  try {
    const tg = (await elb.send(new DescribeTargetGroupsCommand({ Names: ["shop-use1"] }))).TargetGroups![0]!;
    const lb = tg.LoadBalancerArns![0]!;
    return {
      targetGroup: tg.TargetGroupArn!.slice(tg.TargetGroupArn!.indexOf("targetgroup/")),
      loadBalancer: lb.slice(lb.indexOf("loadbalancer/") + "loadbalancer/".length),
    };
  } finally {
    elb.destroy();
  }
}

/** The group's instances and their EC2 launch times, straight from the emulator. */
async function launchTimes(groupName: string): Promise<Map<string, Date>> {
  const asg = new AutoScalingClient(emulator());
  const ec2 = new EC2Client(emulator());
  try {
    const g = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] })))
      .AutoScalingGroups![0]!;
    const ids = (g.Instances ?? []).map((i) => i.InstanceId!);
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    return new Map(out.Reservations!.flatMap((r) => r.Instances!).map((i) => [i.InstanceId!, i.LaunchTime!]));
  } finally {
    asg.destroy();
    ec2.destroy();
  }
}

test("a group found only by its tag shows page load from its target group", async ({ page, request }) => {
  const { targetGroup, loadBalancer } = await shopDimensions();
  await page.goto(`/pools/${MOTO_PRIMARY}/shop`);
  await expect(page.getByRole("heading", { name: /shop/ })).toContainText("discovered pool");
  const source = page.getByTestId("page-load-source");
  await expect(source).toContainText(`LoadBalancer ${loadBalancer}`);
  await expect(source).toContainText(`TargetGroup ${targetGroup}`);
  await expect(source).toContainText("found from the group's target group");
  await expect(page.getByTestId("chart-page-load")).toBeVisible();
  await expect(page.getByTestId("chart-requests")).toBeVisible();

  // The JSON API says the same: the series exists and names those dimensions.
  const detail = await (await request.get(`/api/pools/${MOTO_PRIMARY}/shop`)).json();
  expect(detail.pageLoadSource).toEqual({
    namespace: "AWS/ApplicationELB",
    metric: "TargetResponseTime",
    dimensions: { LoadBalancer: loadBalancer, TargetGroup: targetGroup },
    from: "target group",
  });
  expect(Array.isArray(detail.series.pageLoadP90)).toBe(true);
  // On the overview it is listed among the web pools.
  await page.goto("/");
  const row = page.getByTestId("pool-row-shop");
  await expect(row).toBeVisible();
  // The tier is the nearest group header row above it.
  const tier = await row.evaluate((tr) => {
    let r = tr.previousElementSibling;
    while (r && !r.querySelector('th[scope="colgroup"]')) r = r.previousElementSibling;
    return r?.querySelector("th")?.firstChild?.textContent?.trim() ?? null;
  });
  expect(tier).toBe("Web");
});

test("the pool page lists the emulator's instances with their launch times", async ({ page }) => {
  const launched = await launchTimes("shop-frontend-use1");
  expect(launched.size).toBe(2);
  await page.goto(`/pools/${MOTO_PRIMARY}/shop`);
  const table = page.getByTestId("instances");
  await expect(table.locator("tbody tr")).toHaveCount(launched.size);
  for (const [id, at] of launched) {
    const row = page.getByTestId(`instance-${id}`);
    const iso = at.toISOString();
    await expect(row.getByTestId("launch-time")).toHaveText(`${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`);
    await expect(row).toContainText(`${MOTO_PRIMARY}a`);
    await expect(row).toContainText("c5.large");
    await expect(row).toContainText("InService");
    await expect(row.getByRole("img", { name: new RegExp(`CPU of ${id}`) })).toBeAttached();
  }
  // The per-instance CPU is in the CloudWatch cost line.
  await expect(page.getByTestId("cloudwatch-cost")).toContainText(
    `per-instance CPU is ${launched.size} series`,
  );
});
