import { describe, expect, it } from "vitest";
import type { PoolSummary } from "@/lib/fleet/views";
import { judge } from "./read-standby";

const NOW = Date.parse("2026-11-29T03:00:00Z");

function pool(extra: Partial<PoolSummary> & { cpuNow?: number | null; metricAt?: number }): PoolSummary {
  const { cpuNow = 40, metricAt = NOW - 60_000, ...rest } = extra;
  return {
    id: "app",
    name: "Application web servers",
    tier: "web",
    group: "g",
    min: 1,
    max: 48,
    desired: 12,
    inService: 12,
    pending: 0,
    terminating: 0,
    unhealthy: 0,
    status: "healthy",
    hasScalingPolicies: false,
    hasScheduledActions: false,
    cpu: { latest: cpuNow, start: metricAt, step: 60_000, values: [cpuNow] },
    pageLoad: null,
    backlog: null,
    ...rest,
  };
}

describe("standby verdict", () => {
  it("ready when healthy standby instances cover primary in service × CPU ÷ target", () => {
    // 12 × 35 % ÷ 70 % = 6 needed; the standby has 6 healthy.
    const v = judge("app", pool({ cpuNow: 35 }), pool({ desired: 6, inService: 6, cpuNow: 3 }), 70, false, NOW);
    expect(v).toMatchObject({ verdict: "ready", needed: 6, ratio: 0.5 });
  });

  it("scale, with the size, when the standby is smaller than needed but max allows it", () => {
    const v = judge("app", pool({ cpuNow: 70 }), pool({ desired: 6, inService: 6 }), 70, false, NOW);
    expect(v).toMatchObject({ verdict: "scale", needed: 12, explanation: "scale 6 → 12" });
  });

  it("cannot when the needed size is above the standby's max", () => {
    const v = judge("app", pool({ cpuNow: 90 }), pool({ desired: 6, inService: 6, max: 10 }), 70, false, NOW);
    expect(v.verdict).toBe("cannot");
    expect(v.explanation).toMatch(/needs 16, standby max is 10/);
  });

  it("unhealthy standby instances do not count", () => {
    const v = judge("app", pool({ cpuNow: 35 }), pool({ desired: 6, inService: 6, unhealthy: 2 }), 70, false, NOW);
    expect(v).toMatchObject({ verdict: "scale", needed: 6 });
    expect(v.explanation).toContain("2 unhealthy");
  });

  it("unknown when the standby's metrics are stale, cannot when the region is unreachable", () => {
    const stale = judge("app", pool({ cpuNow: 35 }), pool({ desired: 6, inService: 6, metricAt: NOW - 30 * 60_000 }), 70, false, NOW);
    expect(stale.verdict).toBe("unknown");
    const down = judge("app", pool({}), undefined, 70, true, NOW);
    expect(down).toMatchObject({ verdict: "cannot", explanation: "standby region unreachable" });
  });

  it("without a CPU figure the primary's size is the need (parity)", () => {
    expect(judge("app", pool({ cpuNow: null }), pool({ desired: 12, inService: 12 }), 70, false, NOW).needed).toBe(12);
  });

  it("with a fitted model, the need is the size the model says meets the targets for the primary's arrivals", () => {
    // Saturated at 100 % CPU, the CPU rule can only say "at least its desired"; the model measured the arrivals.
    const v = judge("app", pool({ inService: 12, cpuNow: 100 }), pool({ desired: 6, inService: 6 }), 70, false, NOW, 19);
    expect(v).toMatchObject({ verdict: "scale", needed: 19, explanation: "scale 6 → 19" });
    expect(judge("app", pool({ cpuNow: 35 }), pool({ desired: 6, inService: 6 }), 70, false, NOW, 5)).toMatchObject({ verdict: "ready", needed: 5 });
  });

  it("a primary that is short of instances or saturated needs at least its desired size in the standby", () => {
    const collapsed = judge("app", pool({ inService: 0, cpuNow: null }), pool({ desired: 1, inService: 1 }), 70, false, NOW);
    expect(collapsed).toMatchObject({ verdict: "scale", needed: 12 });
    const saturated = judge("app", pool({ inService: 4, cpuNow: 100 }), pool({ desired: 6, inService: 6 }), 70, false, NOW);
    expect(saturated).toMatchObject({ verdict: "scale", needed: 12 });
  });
});

