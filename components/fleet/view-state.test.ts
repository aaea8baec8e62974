import { describe, expect, it } from "vitest";
import type { PoolStatus, PoolSummary } from "@/lib/fleet/views";
import { applyView, countAttention, DEFAULT_VIEW, parseView, viewSearch, type Row } from "./view-state";
import { offsetsOf, visibleRange } from "./windowing";

const rows: Row[] = [
  { id: "proxy", name: "Edge proxies", tier: "web" },
  { id: "app", name: "Application web servers", tier: "web" },
  { id: "worker-email", name: "Email sender", tier: "worker" },
  { id: "bastion", name: "SSH bastion", tier: "infra" },
  { id: "scheduler", name: "Cron scheduler", tier: "infra" },
];

function summary(
  id: string,
  status: PoolStatus,
  cpu: number | null,
  pageLoad: number | null,
  desired: number,
): PoolSummary {
  const series = { start: 0, step: 0, values: [] };
  return {
    id,
    name: id,
    tier: "web",
    group: `g-${id}`,
    min: 0,
    max: 99,
    desired,
    inService: desired,
    pending: 0,
    terminating: 0,
    unhealthy: 0,
    status,
    hasScalingPolicies: false,
    hasScheduledActions: false,
    cpu: { latest: cpu, ...series },
    pageLoad: pageLoad === null ? null : { latest: pageLoad, unit: "ms", ...series },
    backlog: null,
  };
}

// Two regions: primary, standby.
const data: Record<string, (PoolSummary | undefined)[]> = {
  proxy: [summary("proxy", "healthy", 20, 120, 6), summary("proxy", "healthy", 5, 100, 2)],
  app: [summary("app", "degraded", 71, 1480, 12), summary("app", "healthy", 30, 400, 6)],
  "worker-email": [
    summary("worker-email", "healthy", 40, null, 4),
    summary("worker-email", "scaling", 85, null, 8),
  ],
  bastion: [summary("bastion", "healthy", null, null, 1), undefined],
  scheduler: [summary("scheduler", "healthy", 10, null, 1), summary("scheduler", "stale", 10, null, 1)],
};
const lookup = (id: string) => data[id] ?? [];
const ids = (r: Row[]) => r.map((x) => x.id);

describe("overview view state in the URL", () => {
  const params = (s: string) => new URLSearchParams(s);

  it("parses ?q=, ?status=, ?sort= and falls back to the default on anything else", () => {
    expect(parseView(params(""))).toEqual(DEFAULT_VIEW);
    expect(parseView(params("q=work&status=attention&sort=cpu"))).toEqual({
      q: "work",
      status: "attention",
      sort: "cpu",
    });
    expect(parseView(params("status=everything&sort=%3Cscript%3E"))).toEqual(DEFAULT_VIEW);
    expect(parseView(params(`q=${"x".repeat(500)}`)).q).toHaveLength(100);
  });

  it("writes only what differs from the default, keeps other parameters, and round-trips", () => {
    expect(viewSearch(DEFAULT_VIEW)).toBe("");
    expect(viewSearch({ q: "  ", status: "all", sort: "name" })).toBe("");
    const v = { q: "worker e", status: "attention", sort: "pageload" } as const;
    const s = viewSearch(v, "?range=1h&q=old");
    expect(s).toBe("?range=1h&q=worker+e&status=attention&sort=pageload");
    expect(parseView(params(s))).toEqual(v);
  });
});

describe("filtering and sorting pools", () => {
  it("the default keeps every pool, grouped by tier, degraded pools first, then configuration order", () => {
    expect(ids(applyView(rows, DEFAULT_VIEW, lookup))).toEqual([
      "app",
      "proxy",
      "worker-email",
      "bastion",
      "scheduler",
    ]);
    const calm = (id: string) => (id === "app" ? [summary("app", "healthy", 50, 400, 12)] : lookup(id));
    expect(ids(applyView(rows, DEFAULT_VIEW, calm))).toEqual([
      "proxy",
      "app",
      "worker-email",
      "bastion",
      "scheduler",
    ]);
  });

  it("the filter matches id and name, case-insensitively, every word", () => {
    expect(ids(applyView(rows, { ...DEFAULT_VIEW, q: "WORKER" }, lookup))).toEqual(["worker-email"]);
    expect(ids(applyView(rows, { ...DEFAULT_VIEW, q: "web" }, lookup))).toEqual(["app"]);
    expect(ids(applyView(rows, { ...DEFAULT_VIEW, q: "ssh bast" }, lookup))).toEqual(["bastion"]);
    expect(ids(applyView(rows, { ...DEFAULT_VIEW, q: "ssh email" }, lookup))).toEqual([]);
  });

  it("needs attention: degraded, scaling, stale or error in either region", () => {
    const v = { ...DEFAULT_VIEW, status: "attention" } as const;
    expect(ids(applyView(rows, v, lookup))).toEqual(["app", "worker-email", "scheduler"]);
    expect(countAttention(rows, lookup)).toBe(3);
    expect(ids(applyView(rows, { ...v, q: "app" }, lookup))).toEqual(["app"]);
  });

  it("sorts by the highest figure in either region, pools without one last, ties by id", () => {
    expect(ids(applyView(rows, { ...DEFAULT_VIEW, sort: "cpu" }, lookup))).toEqual([
      "worker-email",
      "app",
      "proxy",
      "scheduler",
      "bastion",
    ]);
    expect(ids(applyView(rows, { ...DEFAULT_VIEW, sort: "pageload" }, lookup))).toEqual([
      "app",
      "proxy",
      "bastion",
      "scheduler",
      "worker-email",
    ]);
    expect(ids(applyView(rows, { ...DEFAULT_VIEW, sort: "capacity" }, lookup))).toEqual([
      "app",
      "worker-email",
      "proxy",
      "bastion",
      "scheduler",
    ]);
  });

  it("before any region has arrived, sorting keeps every pool (by id)", () => {
    expect(ids(applyView(rows, { ...DEFAULT_VIEW, sort: "cpu" }, () => []))).toEqual([
      "app",
      "bastion",
      "proxy",
      "scheduler",
      "worker-email",
    ]);
  });
});

describe("windowed rows", () => {
  const offsets = offsetsOf([26, ...Array.from({ length: 999 }, () => 56)]);

  it("offsets add up the fixed heights", () => {
    expect(offsets[0]).toBe(0);
    expect(offsets[1]).toBe(26);
    expect(offsets[1000]).toBe(26 + 999 * 56);
  });

  it("renders what overlaps the viewport plus the overscan, never past either end", () => {
    expect(visibleRange(offsets, 0, 800, 0)).toEqual({ first: 0, end: 15 });
    const mid = visibleRange(offsets, 26 + 500 * 56, 26 + 500 * 56 + 800, 112);
    expect(mid.first).toBe(499);
    expect(mid.end).toBeGreaterThanOrEqual(517);
    expect(mid.end).toBeLessThanOrEqual(519);
    expect(visibleRange(offsets, 1e9, 1e9 + 800)).toEqual({ first: 999, end: 1000 });
    expect(visibleRange(offsetsOf([]), 0, 800)).toEqual({ first: 0, end: 0 });
  });
});
