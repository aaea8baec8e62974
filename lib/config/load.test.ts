import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "./load";
import { shippedConfigText } from "@/test/support/config";

const shipped = shippedConfigText();

function errorOf(text: string, env = {}): string {
  try {
    parseConfig(text, "fleet.config.yaml", env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("fleet configuration", () => {
  it("the shipped file describes the reference fleet", () => {
    const cfg = parseConfig(shipped, "fleet.config.yaml");
    expect(cfg.backend).toBe("simulated");
    expect(cfg.regions).toEqual({ primary: "us-east-1", standby: "us-west-2" });
    expect(cfg.pools.map((p) => p.id)).toEqual([
      "proxy",
      "public-site",
      "app",
      "worker-email",
      "worker-calendar",
      "worker-default",
      "scheduler",
      "bastion",
    ]);
    const app = cfg.pools.find((p) => p.id === "app")!;
    expect(app.tier).toBe("web");
    expect(app.simulation?.capacity["us-east-1"]).toEqual({ min: 4, max: 48, desired: 12 });
    expect(app.simulation?.capacity["us-west-2"]?.desired).toBe(6);
    expect(app.guardrails).toEqual({ floor: { "us-east-1": 4 }, maxStep: 8 });
    expect(app.instance).toEqual({ type: "c4.xlarge", hourlyPrice: 0.199 });
    expect(cfg.simulation.weeklyGrowthPercent).toBe(2);
    expect(cfg.pools.filter((p) => p.tier === "worker").every((p) => p.metrics.backlog)).toBe(true);
  });

  it.each([
    [
      "a wrong tier",
      (t: string) => t.replace("tier: worker", "tier: wroker"),
      "fleet.config.yaml: pools[3].tier: expected one of web, worker, infra",
    ],
    [
      "an unknown backend",
      (t: string) => t.replace("backend: simulated", "backend: gcp"),
      "fleet.config.yaml: backend: expected one of simulated, aws",
    ],
    [
      "a misspelt key",
      (t: string) => t.replace("refresh:", "refrsh:"),
      "fleet.config.yaml: (root): unknown field refrsh",
    ],
    [
      "a fractional price",
      (t: string) => t.replace("desired: 12 }", "desired: 12.5 }"),
      "fleet.config.yaml: pools[2].simulation.capacity.us-east-1.desired: expected a whole number",
    ],
    [
      "a bad region",
      (t: string) => t.replace("primary: us-east-1", "primary: useast"),
      "fleet.config.yaml: regions.primary: expected an AWS region such as us-east-1",
    ],
    [
      "desired above max",
      (t: string) => t.replace("min: 4, max: 48, desired: 12", "min: 4, max: 8, desired: 12"),
      "fleet.config.yaml: pools[2].simulation.capacity.us-east-1: expected min <= desired <= max",
    ],
    [
      "a duplicate pool id",
      (t: string) => t.replace("id: bastion", "id: app"),
      'fleet.config.yaml: pools[7].id: duplicate pool id "app"',
    ],
    [
      "a missing auth block",
      (t: string) => t.replace(/auth:\n  mode: dev.*\n  sessionHours: 12\n  tokens: \[\]\n/, ""),
      "fleet.config.yaml: auth: required",
    ],
    ["broken YAML", (t: string) => t.replace("pools:", "pools: : ["), "fleet.config.yaml: line"],
    [
      "a negative maxStep",
      (t: string) => t.replace("maxStep: 8", "maxStep: 0"),
      "fleet.config.yaml: pools[2].guardrails.maxStep: must be at least 1",
    ],
    [
      "weekly growth past 20 %",
      (t: string) => t.replace("weeklyGrowthPercent: 2 ", "weeklyGrowthPercent: 50 "),
      "fleet.config.yaml: simulation.weeklyGrowthPercent: must be at most 20",
    ],
    [
      "negative weekly growth",
      (t: string) => t.replace("weeklyGrowthPercent: 2 ", "weeklyGrowthPercent: -1 "),
      "fleet.config.yaml: simulation.weeklyGrowthPercent: must be at least 0",
    ],
    [
      "weekly growth as text",
      (t: string) => t.replace("weeklyGrowthPercent: 2 ", 'weeklyGrowthPercent: "2%" '),
      "fleet.config.yaml: simulation.weeklyGrowthPercent: expected number",
    ],
  ])("%s stops start-up naming the field", (_name, mutate, expected) => {
    const text = mutate(shipped);
    expect(text).not.toBe(shipped);
    expect(errorOf(text)).toContain(expected);
  });

  it("environment overrides are validated too", () => {
    expect(errorOf(shipped, { CAPSTAN_SIM_EXTRA_POOLS: "lots" })).toContain(
      "CAPSTAN_SIM_EXTRA_POOLS: expected a whole number",
    );
    expect(errorOf(shipped, { CAPSTAN_AUTH_MODE: "open" })).toContain(
      "auth.mode: expected one of dev, alb, tokens",
    );
    expect(parseConfig(shipped, "f", { CAPSTAN_SIM_WARMUP_SECONDS: "2" }).simulation.warmupSeconds).toBe(2);
  });

  it("CAPSTAN_SIM_EXTRA_POOLS adds generated pools that validate like the rest", () => {
    const cfg = parseConfig(shipped, "f", { CAPSTAN_SIM_EXTRA_POOLS: "100" });
    expect(cfg.pools).toHaveLength(108);
    expect(new Set(cfg.pools.map((p) => p.id)).size).toBe(108);
  });
});
