import { describe, expect, it } from "vitest";
import { adviseCapacity } from "./advice";

const base = {
  desired: 12,
  inService: 12,
  pending: 0,
  terminating: 0,
  min: 4,
  max: 48,
  pageLoad: null,
  backlog: null,
};
const cpu = (latest: number | null) => ({ latest, start: 0, step: 0, values: [] });

describe("capacity advice", () => {
  it("sizes the pool so CPU lands on its target", () => {
    expect(adviseCapacity({ ...base, cpu: cpu(82) }, { cpuPercent: 70 })).toEqual({
      desired: 15,
      reason: "CPU 82 % on 12 → 70 % target",
    });
    expect(adviseCapacity({ ...base, cpu: cpu(35) }, { cpuPercent: 70 })!.desired).toBe(6);
  });

  it("adds one while page load or backlog is over target even if CPU looks fine", () => {
    const slow = adviseCapacity(
      { ...base, cpu: cpu(60), pageLoad: { latest: 1500, start: 0, step: 0, values: [], unit: "ms" } },
      { cpuPercent: 70, pageLoadP90Ms: 1200 },
    );
    expect(slow).toEqual({ desired: 13, reason: "CPU 60 % on 12 → 70 % target; p90 page load over target" });
    const queued = adviseCapacity(
      { ...base, cpu: cpu(40), backlog: { latest: 900, start: 0, step: 0, values: [] } },
      { cpuPercent: 80, backlog: 500 },
    );
    expect(queued!.desired).toBe(13);
  });

  it("stays within min and max, and says so", () => {
    expect(adviseCapacity({ ...base, cpu: cpu(100), max: 16 }, { cpuPercent: 50 })).toEqual({
      desired: 16,
      reason: "CPU 100 % on 12 → 50 % target; capped at max 16",
    });
    expect(adviseCapacity({ ...base, cpu: cpu(5) }, { cpuPercent: 70 })!.desired).toBe(4);
  });

  it("no advice while the pool is changing or CPU is unknown", () => {
    expect(adviseCapacity({ ...base, cpu: cpu(90), pending: 2 }, { cpuPercent: 70 })).toBeNull();
    expect(adviseCapacity({ ...base, cpu: cpu(null) }, { cpuPercent: 70 })).toBeNull();
  });
});
