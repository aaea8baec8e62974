import "server-only";
import type { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { describeTargetGroups, type TargetGroupLink } from "./target-groups";

// The run-time half of "page load from the target group": which load balancer each target group
// is behind. That changes about as often as scaling policies do, so, like them, it is looked up
// with discovery and kept ten minutes per target group (a group added to a new target group is
// looked up on the next capacity refresh), never per request. A failed lookup keeps the last
// answer; without one the pool simply has no page load until the next attempt. The capacity read
// waits for a lookup at most WAIT_MS: a slow Elastic Load Balancing endpoint must not hold the
// region's capacity back, so the answer then lands in the cache for the next refresh.

/** How long a capacity read waits for a target-group lookup in flight. */
export const WAIT_MS = 1500;

export const TARGET_GROUP_TTL_MS = 10 * 60_000;
const RETRY_AFTER_MS = 60_000;

interface Entry {
  link?: TargetGroupLink;
  expiresAt: number;
}

export class TargetGroupCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<void>>();

  constructor(
    private readonly client: (region: string) => ElasticLoadBalancingV2Client,
    private readonly now: () => number = Date.now,
    private readonly waitMs: number = WAIT_MS,
  ) {}

  /** The links of the given target groups (those known); one DescribeTargetGroups per 20 expired ones. */
  async get(region: string, arns: string[]): Promise<Map<string, TargetGroupLink>> {
    const expired = [...new Set(arns)].filter(
      (a) => (this.entries.get(key(region, a))?.expiresAt ?? 0) <= this.now(),
    );
    if (expired.length > 0) {
      const flight = expired.sort().join(",");
      const k = `${region}|${flight}`;
      let p = this.inflight.get(k);
      if (!p) {
        p = this.refresh(region, expired).finally(() => this.inflight.delete(k));
        this.inflight.set(k, p);
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.waitMs)));
      await Promise.race([p, waited]).finally(() => clearTimeout(timer));
    }
    const out = new Map<string, TargetGroupLink>();
    for (const a of arns) {
      const link = this.entries.get(key(region, a))?.link;
      if (link) out.set(a, link);
    }
    return out;
  }

  private async refresh(region: string, arns: string[]): Promise<void> {
    try {
      const links = await describeTargetGroups(this.client(region), region, arns);
      const expiresAt = this.now() + TARGET_GROUP_TTL_MS;
      for (const a of arns)
        this.entries.set(key(region, a), { link: links.find((l) => l.arn === a), expiresAt });
    } catch {
      // Page load is an extra: its lookup failing must not fail the region's capacity read.
      const expiresAt = this.now() + RETRY_AFTER_MS;
      for (const a of arns) {
        const e = this.entries.get(key(region, a));
        this.entries.set(key(region, a), { link: e?.link, expiresAt });
      }
    }
  }
}

const key = (region: string, arn: string) => `${region}|${arn}`;
