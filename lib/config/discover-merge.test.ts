import { describe, expect, it } from "vitest";
import { parseConfig } from "./load";
import { mergeConfig, poolBlock } from "./discover-merge";
import type { ProposedPool } from "./discover-pairing";

const opts = { regions: { primary: "us-east-1", standby: "us-west-2" }, tagKey: "capstan:pool" };
const web = (lb = "app/web/1"): ProposedPool => ({
  id: "web",
  by: "tag",
  groups: {
    "us-east-1": {
      region: "us-east-1",
      name: "prod-web",
      tags: {},
      instanceType: "c5.large",
      detailedMonitoring: true,
      pageLoad: { loadBalancer: lb, targetGroup: "targetgroup/web/1" },
    },
    "us-west-2": {
      region: "us-west-2",
      name: "dr-web",
      tags: {},
      instanceType: "c5.large",
      detailedMonitoring: true,
      pageLoad: { loadBalancer: "app/dr-web/2", targetGroup: "targetgroup/dr-web/2" },
    },
  },
});

describe("discover's configuration blocks and merge", () => {
  it("a first run writes a file that loads, with per-region load balancer dimensions", () => {
    const { text, added } = mergeConfig(null, [web()], opts);
    expect(added).toEqual(["web"]);
    expect(text).not.toMatch(/[&*]a\d/); // no YAML aliases: each block reads on its own
    const cfg = parseConfig(text, "new.yaml");
    expect(cfg.pools[0]!.metrics.pageLoad?.dimensions).toEqual({
      LoadBalancer: { "us-east-1": "app/web/1", "us-west-2": "app/dr-web/2" },
      TargetGroup: { "us-east-1": "targetgroup/web/1", "us-west-2": "targetgroup/dr-web/2" },
    });
    expect(cfg.pools[0]!.instance).toEqual({ type: "c5.large", hourlyPrice: 0.085 });
  });

  it("a re-run keeps what the user set, refreshes discover's dimension values, keeps a custom page load", () => {
    const first = mergeConfig(null, [web()], opts).text;
    const edited = first
      .replace("name: web", "name: Storefront # ours")
      .replace("hourlyPrice: 0.085", "hourlyPrice: 0.07")
      .replace("tier: web", "tier: web\n    targets: { pageLoadP90Ms: 700 }");
    const again = mergeConfig(edited, [web("app/web/NEW")], opts);
    const cfg = parseConfig(again.text, "f.yaml");
    const pool = cfg.pools[0]!;
    expect(again.text).toContain("# ours");
    expect(pool.name).toBe("Storefront");
    expect(pool.instance.hourlyPrice).toBe(0.07);
    expect(pool.targets.pageLoadP90Ms).toBe(700);
    expect((pool.metrics.pageLoad?.dimensions.LoadBalancer as Record<string, string>)["us-east-1"]).toBe(
      "app/web/NEW",
    );
    expect(again.updated).toEqual(["web"]);

    const rum = edited.replace(
      /pageLoad:\n(\s+)namespace: AWS\/ApplicationELB\n\s+metric: TargetResponseTime/,
      "pageLoad:\n$1namespace: AWS/RUM\n$1metric: PerformanceNavigationDuration",
    );
    const kept = parseConfig(mergeConfig(rum, [web("app/web/NEW")], opts).text, "f.yaml");
    expect(kept.pools[0]!.metrics.pageLoad?.namespace).toBe("AWS/RUM");
  });

  it("refuses to merge into a file for other regions", () => {
    const first = mergeConfig(null, [web()], opts).text;
    expect(() =>
      mergeConfig(first, [web()], { ...opts, regions: { primary: "eu-west-1", standby: "eu-central-1" } }),
    ).toThrow(/regions/);
  });

  it("a type missing from the price table gets price 0 and a note; unknown monitoring means 5-minute CPU", () => {
    const p: ProposedPool = {
      id: "odd",
      by: "name",
      groups: { "us-east-1": { region: "us-east-1", name: "odd-use1", tags: {}, instanceType: "x9.huge" } },
    };
    const { block, notes } = poolBlock(p, opts);
    expect(block).toMatchObject({
      groups: { "us-east-1": "odd-use1" },
      instance: { type: "x9.huge", hourlyPrice: 0 },
      metrics: { cpu: { period: 300 } },
    });
    expect(notes.join("\n")).toMatch(/no price for x9.huge/);
  });
});
