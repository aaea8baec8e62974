import { describe, expect, it, vi } from "vitest";
import { setBackendForTests } from "@/lib/backends";
import { cleanupDataDirs, harness, referenceConfig } from "@/test/support/simulated/fixtures";
import { sharedCache } from "@/lib/cache/shared-cache";
import { setConfigForTests } from "@/lib/config";
import type { PoolSummary } from "@/lib/fleet/views";
import { judge, readStandby } from "./read-standby";

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
    const v = judge(
      "app",
      pool({ cpuNow: 35 }),
      pool({ desired: 6, inService: 6, cpuNow: 3 }),
      70,
      false,
      NOW,
    );
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
    const v = judge(
      "app",
      pool({ cpuNow: 35 }),
      pool({ desired: 6, inService: 6, unhealthy: 2 }),
      70,
      false,
      NOW,
    );
    expect(v).toMatchObject({ verdict: "scale", needed: 6 });
    expect(v.explanation).toContain("2 unhealthy");
  });

  it("unknown when the standby's metrics are stale, cannot when the region is unreachable", () => {
    const stale = judge(
      "app",
      pool({ cpuNow: 35 }),
      pool({ desired: 6, inService: 6, metricAt: NOW - 30 * 60_000 }),
      70,
      false,
      NOW,
    );
    expect(stale.verdict).toBe("unknown");
    const down = judge("app", pool({}), undefined, 70, true, NOW);
    expect(down).toMatchObject({ verdict: "cannot", explanation: "standby region unreachable" });
  });

  it("unknown, with the age of the last good data, while the standby's last read has failed", () => {
    // The probe: us-west-2 down after warm-up still said "can take over after scaling 4 pools".
    const v = judge(
      "app",
      pool({ cpuNow: 70 }),
      pool({ desired: 6, inService: 6 }),
      70,
      true,
      NOW,
      null,
      NOW - 3 * 60_000,
    );
    expect(v.verdict).toBe("unknown");
    expect(v.explanation).toBe("standby region unreachable: its last good data is 3 min old");
    expect(
      judge(
        "app",
        pool({ cpuNow: 35 }),
        pool({ desired: 6, inService: 6, cpuNow: 3 }),
        70,
        true,
        NOW,
        null,
        NOW - 45_000,
      ).verdict,
    ).toBe("unknown");
  });

  it("without a CPU figure the primary's size is the need (parity)", () => {
    expect(
      judge("app", pool({ cpuNow: null }), pool({ desired: 12, inService: 12 }), 70, false, NOW).needed,
    ).toBe(12);
  });

  it("with a fitted model, the need is the size the model says meets the targets for the primary's arrivals", () => {
    // Saturated at 100 % CPU, the CPU rule can only say "at least its desired"; the model measured the arrivals.
    const v = judge(
      "app",
      pool({ inService: 12, cpuNow: 100 }),
      pool({ desired: 6, inService: 6 }),
      70,
      false,
      NOW,
      19,
    );
    expect(v).toMatchObject({ verdict: "scale", needed: 19, explanation: "scale 6 → 19" });
    expect(
      judge("app", pool({ cpuNow: 35 }), pool({ desired: 6, inService: 6 }), 70, false, NOW, 5),
    ).toMatchObject({ verdict: "ready", needed: 5 });
  });

  it("a primary that is short of instances or saturated needs at least its desired size in the standby", () => {
    const collapsed = judge(
      "app",
      pool({ inService: 0, cpuNow: null }),
      pool({ desired: 1, inService: 1 }),
      70,
      false,
      NOW,
    );
    expect(collapsed).toMatchObject({ verdict: "scale", needed: 12 });
    const saturated = judge(
      "app",
      pool({ inService: 4, cpuNow: 100 }),
      pool({ desired: 6, inService: 6 }),
      70,
      false,
      NOW,
    );
    expect(saturated).toMatchObject({ verdict: "scale", needed: 12 });
  });
});

describe("readStandby with the standby region down after warm-up", () => {
  it("gives no verdict from the last good data: unknown, with its age", async () => {
    const cfg = referenceConfig();
    setConfigForTests(cfg);
    const t0 = Date.UTC(2026, 10, 30, 15, 0, 0);
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(t0);
      const h = harness(cfg, t0);
      setBackendForTests(h.backend);
      sharedCache().clear();
      const who = { name: "vera", role: "viewer" as const, source: "dev" as const };
      const warm = await readStandby(who);
      expect(warm.regions[1]!.status).toBe("ok");
      h.backend.setFault("us-west-2", "down");
      vi.setSystemTime(t0 + 3 * 60_000); // past the refresh interval: the next read fails
      const down = await readStandby(who);
      expect(down.regions[1]!.status).toBe("stale");
      expect(down.overall).toBe("unknown");
      expect(down.overallExplanation).toMatch(/^Not known whether the standby can take over: /);
      for (const p of down.pools) expect(p.verdict, p.id).toBe(p.standby ? "unknown" : "cannot");
      expect(down.pools.find((p) => p.id === "app")!.explanation).toMatch(
        /^standby region unreachable: its last good data is \d+ (s|min) old$/,
      );
    } finally {
      vi.useRealTimers();
      setBackendForTests(undefined);
      setConfigForTests(undefined);
      sharedCache().clear();
      cleanupDataDirs();
    }
  });
});
