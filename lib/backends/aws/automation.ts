import "server-only";
import {
  DescribePoliciesCommand,
  DescribeScheduledActionsCommand,
  type AutoScalingClient,
} from "@aws-sdk/client-auto-scaling";
import { mapped } from "./errors";

// Which groups of a region have scaling policies or scheduled actions (either may move desired on
// its own, so the pool says so and nobody fights a policy by hand). Policies change rarely, so the
// answer is cached per region for ten minutes instead of adding two calls to every refresh.

export const AUTOMATION_TTL_MS = 10 * 60_000;
/** After a failed refresh, the previous answer serves this long before the next attempt. */
const RETRY_AFTER_MS = 60_000;

export interface Automation {
  policies: Set<string>;
  scheduled: Set<string>;
}

interface Entry {
  value?: Automation;
  expiresAt: number;
  inflight?: Promise<Automation>;
}

export class AutomationCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly client: (region: string) => AutoScalingClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** Single-flight: concurrent callers in one region share one refresh. */
  get(region: string): Promise<Automation> {
    const entry = this.entries.get(region) ?? { expiresAt: 0 };
    this.entries.set(region, entry);
    if (entry.value && this.now() < entry.expiresAt) return Promise.resolve(entry.value);
    entry.inflight ??= this.refresh(region, entry).finally(() => {
      entry.inflight = undefined;
    });
    return entry.inflight;
  }

  private async refresh(region: string, entry: Entry): Promise<Automation> {
    try {
      const [policies, scheduled] = await Promise.all([
        this.groupsWithPolicies(region),
        this.groupsWithScheduledActions(region),
      ]);
      entry.value = { policies, scheduled };
      entry.expiresAt = this.now() + AUTOMATION_TTL_MS;
      return entry.value;
    } catch (err) {
      // A stale answer beats failing the whole region over a flag; without one, the error shows.
      if (!entry.value) throw err;
      entry.expiresAt = this.now() + RETRY_AFTER_MS;
      return entry.value;
    }
  }

  private async groupsWithPolicies(region: string): Promise<Set<string>> {
    const names = new Set<string>();
    let NextToken: string | undefined;
    do {
      const page = await mapped({ service: "autoscaling", region }, () =>
        this.client(region).send(new DescribePoliciesCommand({ MaxRecords: 100, NextToken })),
      );
      for (const p of page.ScalingPolicies ?? [])
        if (p.AutoScalingGroupName) names.add(p.AutoScalingGroupName);
      NextToken = page.NextToken;
    } while (NextToken);
    return names;
  }

  private async groupsWithScheduledActions(region: string): Promise<Set<string>> {
    const names = new Set<string>();
    let NextToken: string | undefined;
    do {
      const page = await mapped({ service: "autoscaling", region }, () =>
        this.client(region).send(new DescribeScheduledActionsCommand({ MaxRecords: 100, NextToken })),
      );
      for (const a of page.ScheduledUpdateGroupActions ?? []) {
        if (a.AutoScalingGroupName) names.add(a.AutoScalingGroupName);
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return names;
  }
}
