import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { setAuditStoreForTests } from "@/lib/audit";
import type { ChangeEffect, EffectFigures } from "@/lib/audit/types";
import { setBackendForTests } from "@/lib/backends";
import {
  cleanupDataDirs,
  EAST,
  harness,
  MINUTE,
  referenceConfig,
  WEEKDAY_PEAK,
  type Harness,
} from "@/test/support/simulated/fixtures";
import { sharedCache } from "@/lib/cache/shared-cache";
import { setConfigForTests } from "@/lib/config";
import { changeCapacity } from "./change-capacity";
import { evaluateEffects, judge } from "./change-effect";
import { readAudit } from "../read-audit";
import { operator, tempStore, viewer } from "@/test/support/services/fixtures";

// "Did it help?" on the simulated fleet: surge app past saturation, bump it, let the new
// instances serve and settle, and the change is judged from p90, CPU and backlog over equal
// windows before and after — stored beside the audit row, which stays as written.

const cfg = referenceConfig((c) => void (c.simulation.warmupSeconds = 60));
let h: Harness;
let audit: ReturnType<typeof tempStore>;
const SETTLE = 3 * MINUTE;

beforeAll(() => {
  vi.useFakeTimers({ toFake: ["Date"], now: WEEKDAY_PEAK });
  setConfigForTests(cfg);
});
afterAll(() => {
  vi.useRealTimers();
  setConfigForTests(undefined);
  cleanupDataDirs();
});
beforeEach(() => {
  vi.setSystemTime(WEEKDAY_PEAK);
  h = harness(cfg, WEEKDAY_PEAK);
  setBackendForTests(h.backend);
  audit = tempStore();
  setAuditStoreForTests(audit.store);
  sharedCache().clear();
});
afterEach(() => {
  setBackendForTests(undefined);
  setAuditStoreForTests(undefined);
  audit.cleanup();
});

const advance = (ms: number) => {
  h.advance(ms);
  vi.setSystemTime(h.clock.t);
};
const run = () =>
  evaluateEffects({ backend: h.backend, store: audit.store, cfg, now: h.clock.t, settleMs: SETTLE });

describe("change effects on the simulated fleet", () => {
  it("a bump that relieves a saturated pool: pending while instances warm and settle, then helped", async () => {
    await h.backend.setSurge(EAST, "app", { factor: 1.6, minutes: 120, startedMinutesAgo: 20 });
    const { record } = await changeCapacity(
      operator,
      { region: EAST, pool: "app" },
      { desired: 20, expectedDesired: 12, reason: "p90 over target", idempotencyKey: "effect-helped-1" },
    );
    expect(await run()).toMatchObject([{ changeId: record.id, verdict: "pending" }]);
    advance(90_000); // in service
    expect((await run())[0]!.verdict).toBe("pending"); // settling
    advance(SETTLE);
    const [effect] = (await run()) as [ChangeEffect];
    expect(effect).toMatchObject({ changeId: record.id, verdict: "helped" });
    expect(effect.before!.pageLoadP90Ms!).toBeGreaterThan(5000);
    expect(effect.after!.pageLoadP90Ms!).toBeLessThan(1200);
    expect(effect.after!.cpuPercent!).toBeLessThan(effect.before!.cpuPercent!);
    expect(effect.summary).toMatch(/^p90 [\d.]+ s → \d+ ms, CPU \d+ % → \d+ %: helped$/);
    // Equal windows, the "before" one ending at the change.
    const len = (f: EffectFigures) => Date.parse(f.to) - Date.parse(f.from);
    expect(len(effect.before!)).toBe(len(effect.after!));
    expect(Date.parse(effect.before!.to)).toBeLessThanOrEqual(Date.parse(record.time));
    // Stored once; the audit row is untouched and shows it.
    expect(await run()).toEqual([]);
    const view = await readAudit(viewer, { limit: 10 }, { store: audit.store, backend: null });
    const row = view.records.find((r) => r.id === record.id)!;
    expect(row).toMatchObject({
      outcome: "succeeded",
      from: 12,
      to: 20,
      effect: { verdict: "helped", summary: effect.summary },
    });
  });

  it("a bump on a pool that was fine changes little: no change", async () => {
    const { record } = await changeCapacity(
      operator,
      { region: EAST, pool: "app" },
      { desired: 14, expectedDesired: 12, reason: "just in case", idempotencyKey: "effect-nochange-1" },
    );
    advance(90_000 + SETTLE);
    const [effect] = await run();
    expect(effect).toMatchObject({ changeId: record.id, verdict: "no change" });
    expect(effect!.summary).toMatch(/: no change, it was within its target already$/);
  });
});

describe("judge", () => {
  const fig = (p90: number | null, cpu: number | null, backlog: number | null = null): EffectFigures => ({
    from: "a",
    to: "b",
    pageLoadP90Ms: p90,
    cpuPercent: cpu,
    backlog,
  });
  const final = (verdict: ChangeEffect["verdict"], summary: string) => ({
    changeId: "x",
    evaluatedAt: "t",
    verdict,
    before: null,
    after: null,
    summary,
  });
  const web = { tier: "web" as const, targets: { pageLoadP90Ms: 1200, cpuPercent: 70 } };

  it("reads the example summaries", () => {
    expect(judge({ from: 12, to: 16 }, web, fig(2300, 94), fig(470, 61), final).summary).toBe(
      "p90 2.3 s → 470 ms, CPU 94 % → 61 %: helped",
    );
    expect(judge({ from: 12, to: 16 }, web, fig(2300, 60), fig(2250, 45), final).summary).toBe(
      "p90 2.3 s → 2.3 s, CPU 60 % → 45 %: no change: the bottleneck is elsewhere",
    );
    expect(judge({ from: 12, to: 16 }, web, fig(500, 60), fig(900, 70), final).verdict).toBe("worse");
    expect(judge({ from: 12, to: 16 }, web, fig(null, null), fig(null, null), final).verdict).toBe("unknown");
  });

  it("workers are judged by their backlog", () => {
    const worker = { tier: "worker" as const, targets: { backlog: 200, cpuPercent: 75 } };
    expect(judge({ from: 4, to: 6 }, worker, fig(null, 99, 5000), fig(null, 80, 150), final).summary).toBe(
      "CPU 99 % → 80 %, backlog 5000 → 150: helped",
    );
  });
});
