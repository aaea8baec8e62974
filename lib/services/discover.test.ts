import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseConfig } from "@/lib/config/load";
import { awsCallCounts, resetAwsCallCounts } from "@/lib/backends/aws";
import {
  forgetSeededVpcs,
  motoEnv,
  seedGroups,
  seedLaunchTemplate,
  seedQueue,
  seedTargetGroup,
  startMoto,
  type MotoServer,
  type SeededTargetGroup,
} from "@/test/support/aws";
import { runDiscover, type DiscoverOptions } from "./discover";

// `npm run discover` against the moto emulator, seeded in both regions with what a real account
// holds: application and network load balancers with target groups attached to groups, a target
// group behind nothing, tagged and untagged groups, launch templates with and without detailed
// monitoring, and queue tags (one naming a queue that does not exist).

const E = "us-east-1";
const W = "us-west-2";
let moto: MotoServer;
let dir: string;
const tg: Record<string, SeededTargetGroup> = {};

beforeAll(async () => {
  moto = await startMoto();
  for (const [k, v] of Object.entries(motoEnv(moto.url))) vi.stubEnv(k, v);
  dir = mkdtempSync(path.join(tmpdir(), "capstan-discover-"));
  const url = moto.url;
  await seedLaunchTemplate(url, E, "shop-detailed", "c5.large", true);
  await seedLaunchTemplate(url, W, "shop-basic", "c5.large", false);
  await seedLaunchTemplate(url, E, "mailer-detailed", "m5.large", true);
  await seedLaunchTemplate(url, W, "mailer-detailed", "m5.large", true);
  await seedLaunchTemplate(url, E, "odd-type", "z1d.large", true);
  tg.shopE = await seedTargetGroup(url, E, "shop-use1", "application");
  tg.shopW = await seedTargetGroup(url, W, "shop-usw2", "application");
  tg.tcp = await seedTargetGroup(url, E, "tcp-use1", "network");
  tg.orphan = await seedTargetGroup(url, E, "orphan-use1", "none");
  await seedQueue(url, E, "mail-jobs");
  await seedQueue(url, W, "mail-jobs-dr");
  const g = { min: 0, max: 4, desired: 1 };
  await seedGroups(url, E, [
    {
      ...g,
      name: "prod-shop-use1",
      pool: "shop",
      launchTemplate: "shop-detailed",
      targetGroupArns: [tg.shopE.targetGroupArn],
    },
    {
      ...g,
      name: "prod-mailer-use1",
      pool: "mailer",
      launchTemplate: "mailer-detailed",
      tags: { "capstan:queue": "mail-jobs" },
    },
    {
      ...g,
      name: "prod-tcp-use1",
      pool: "tcp",
      launchTemplate: "odd-type",
      targetGroupArns: [tg.tcp.targetGroupArn],
    },
    {
      ...g,
      name: "prod-ghost-use1",
      pool: "ghost",
      targetGroupArns: [tg.orphan.targetGroupArn],
      tags: { "capstan:queue": "no-such-queue" },
    },
    { ...g, name: "prod-misc-use1" },
  ]);
  await seedGroups(url, W, [
    {
      ...g,
      name: "dr-shop-usw2",
      pool: "shop",
      launchTemplate: "shop-basic",
      targetGroupArns: [tg.shopW.targetGroupArn],
    },
    {
      ...g,
      name: "dr-mailer-usw2",
      pool: "mailer",
      launchTemplate: "mailer-detailed",
      tags: { "capstan:queue": "mail-jobs-dr" },
    },
  ]);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  forgetSeededVpcs();
  await moto?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const options = (out: string, more: Partial<DiscoverOptions> = {}): DiscoverOptions => ({
  primary: E,
  standby: W,
  tagKey: "capstan:pool",
  out,
  accept: false,
  dryRun: false,
  ...more,
});

describe("npm run discover (moto)", () => {
  const out = () => path.join(dir, "fleet.config.yaml");

  it("writes a configuration that loads and holds what was seeded, reading only", async () => {
    resetAwsCallCounts();
    const report = await runDiscover(options(out()));
    expect(report.exitCode, report.lines.join("\n")).toBe(0);
    // Read-only: every call discover made is a Describe or a Get.
    const ops = awsCallCounts().map((c) => c.operation);
    expect(ops.length).toBeGreaterThan(0);
    expect(
      ops.every((op) => /^(Describe|Get)/.test(op)),
      ops.join(", "),
    ).toBe(true);

    const cfg = parseConfig(readFileSync(out(), "utf8"), "fleet.config.yaml");
    expect(cfg.backend).toBe("aws");
    expect(cfg.pools.map((p) => p.id).sort()).toEqual(["ghost", "mailer", "shop", "tcp"]);
    const shop = cfg.pools.find((p) => p.id === "shop")!;
    expect(shop.tier).toBe("web");
    expect(shop.groups).toBeUndefined(); // found by its tag
    const dims = {
      LoadBalancer: { [E]: tg.shopE!.loadBalancer, [W]: tg.shopW!.loadBalancer },
      TargetGroup: { [E]: tg.shopE!.targetGroup, [W]: tg.shopW!.targetGroup },
    };
    expect(shop.metrics.pageLoad).toMatchObject({
      namespace: "AWS/ApplicationELB",
      metric: "TargetResponseTime",
      statistic: "p90",
      dimensions: dims,
    });
    expect(shop.metrics.pageLoadMedian).toMatchObject({ statistic: "p50", dimensions: dims });
    expect(shop.metrics.requestCount).toMatchObject({
      metric: "RequestCount",
      statistic: "Sum",
      dimensions: dims,
    });
    // Basic monitoring in the standby region: CPU never asked finer than five minutes.
    expect(shop.metrics.cpu?.period).toBe(300);
    expect(shop.instance).toEqual({ type: "c5.large", hourlyPrice: 0.085 });

    const mailer = cfg.pools.find((p) => p.id === "mailer")!;
    expect(mailer.tier).toBe("worker");
    expect(mailer.metrics.backlog).toMatchObject({
      namespace: "AWS/SQS",
      dimensions: { QueueName: { [E]: "mail-jobs", [W]: "mail-jobs-dr" } },
    });
    expect(mailer.metrics.cpu).toBeUndefined(); // detailed monitoring everywhere: the 60 s default
    expect(mailer.instance.type).toBe("m5.large");

    const tcp = cfg.pools.find((p) => p.id === "tcp")!;
    expect(tcp.metrics.pageLoad).toBeUndefined();
    expect(tcp.instance).toEqual({ type: "z1d.large", hourlyPrice: 0 });
    const ghost = cfg.pools.find((p) => p.id === "ghost")!;
    expect(ghost.metrics.backlog).toBeUndefined();
    expect(ghost.metrics.pageLoad).toBeUndefined();

    const text = report.lines.join("\n");
    expect(text).toMatch(/network load balancer/);
    expect(text).toContain(`${tg.orphan!.targetGroup} is behind no load balancer`);
    expect(text).toContain("capstan:queue=no-such-queue names no queue");
    expect(text).toContain("no price for z1d.large");
    expect(text).toMatch(/tcp: no group in us-west-2/);
    expect(text).toContain("1 group(s) without the capstan:pool tag were left out");
    // Nothing is said about a group no pool asked for.
    expect(text).not.toContain("prod-misc-use1");
  });

  it("a second run keeps the user's edits and adds new groups", async () => {
    const edited = readFileSync(out(), "utf8")
      .replace("name: shop", "name: Web shop # the storefront")
      .replace(
        /(- id: mailer\n(\s+))/,
        "$1guardrails: { floor: { us-east-1: 2 }, maxStep: 3 }\n$2targets: { backlog: 500 }\n$2",
      );
    writeFileSync(out(), `# ops: hand-edited\n${edited}`);
    await seedGroups(moto.url, E, [
      { name: "prod-api-use1", pool: "api", min: 0, max: 2, desired: 0, launchTemplate: "shop-detailed" },
    ]);

    const report = await runDiscover(options(out()));
    expect(report.exitCode, report.lines.join("\n")).toBe(0);
    const text = readFileSync(out(), "utf8");
    expect(text).toContain("# ops: hand-edited");
    expect(text).toContain("# the storefront");
    const cfg = parseConfig(text, "fleet.config.yaml");
    expect(cfg.pools.find((p) => p.id === "shop")!.name).toBe("Web shop");
    const mailer = cfg.pools.find((p) => p.id === "mailer")!;
    expect(mailer.guardrails).toEqual({ floor: { [E]: 2 }, maxStep: 3 });
    expect(mailer.targets.backlog).toBe(500);
    expect(cfg.pools.map((p) => p.id)).toContain("api");
    expect(report.lines.join("\n")).toMatch(/1 pool\(s\) added \(api\)/);
  });

  it("without tags, proposes pools paired by name and writes them only with --accept", async () => {
    await moto.reset();
    forgetSeededVpcs();
    await seedGroups(moto.url, E, [
      { name: "prod-app-use1", min: 1, max: 4, desired: 2, instanceType: "m5.large" },
    ]);
    await seedGroups(moto.url, W, [
      { name: "dr-app-usw2", min: 0, max: 4, desired: 1, instanceType: "m5.large" },
    ]);
    const file = path.join(dir, "untagged.yaml");

    const proposal = await runDiscover(options(file));
    expect(proposal.lines.join("\n")).toMatch(/app\s+us-east-1: prod-app-use1 .*us-west-2: dr-app-usw2/);
    expect(proposal.lines.join("\n")).toContain("--accept");
    expect(() => readFileSync(file)).toThrow();

    const accepted = await runDiscover(options(file, { accept: true }));
    expect(accepted.exitCode, accepted.lines.join("\n")).toBe(0);
    const cfg = parseConfig(readFileSync(file, "utf8"), "untagged.yaml");
    expect(cfg.pools).toHaveLength(1);
    expect(cfg.pools[0]).toMatchObject({ id: "app", groups: { [E]: "prod-app-use1", [W]: "dr-app-usw2" } });
  });
});
