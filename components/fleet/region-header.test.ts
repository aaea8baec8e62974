import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { PoolStatus, PoolSummary, RegionView } from "@/lib/fleet/views";
import { RegionHeader } from "./region-header";
import { countDegraded } from "./view-state";

// The overview's region header counts the region's degraded pools: the figure an operator reads
// first, so it must be exactly the pools whose status is degraded — not scaling, stale or error.

function pool(id: string, status: PoolStatus): PoolSummary {
  const series = { start: 0, step: 0, values: [] };
  return {
    id,
    name: id,
    tier: "web",
    group: `g-${id}`,
    min: 0,
    max: 10,
    desired: 2,
    inService: 2,
    pending: 0,
    terminating: 0,
    unhealthy: 0,
    status,
    hasScalingPolicies: false,
    hasScheduledActions: false,
    cpu: { latest: 50, ...series },
    pageLoad: null,
    backlog: null,
  };
}

const region = (pools: PoolSummary[]): RegionView => ({
  region: "us-east-1",
  role: "primary",
  status: "ok",
  fetchedAt: "2026-11-29T10:00:00.000Z",
  pools,
});

const header = (pools: PoolSummary[]) =>
  renderToStaticMarkup(
    createElement(RegionHeader, { region: "us-east-1", role: "primary", view: region(pools) }),
  );
/** The count the header shows, or null when it shows none. */
const shown = (html: string) =>
  html.match(/data-testid="degraded-count-us-east-1"[^>]*>(\d+) degraded</)?.[1] ?? null;

const mixed = [
  pool("proxy", "healthy"),
  pool("app", "degraded"),
  pool("public-site", "degraded"),
  pool("worker-email", "scaling"),
  pool("worker-calendar", "stale"),
  pool("scheduler", "error"),
  pool("bastion", "missing"),
  pool("worker-default", "degraded"),
];

describe("the region header's degraded count", () => {
  it("counts exactly the degraded pools", () => {
    expect(countDegraded(mixed)).toBe(3);
    expect(countDegraded(mixed.filter((p) => p.status !== "degraded"))).toBe(0);
    expect(countDegraded([])).toBe(0);
    expect(countDegraded([pool("app", "degraded")])).toBe(1);
  });

  it("shows that count beside the region, and nothing when no pool is degraded", () => {
    expect(shown(header(mixed))).toBe("3");
    expect(shown(header([pool("app", "degraded")]))).toBe("1");
    const calm = header(mixed.filter((p) => p.status !== "degraded"));
    expect(calm).not.toContain("degraded-count");
    expect(calm).not.toMatch(/\d+ degraded/);
  });
});
