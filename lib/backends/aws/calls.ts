import "server-only";
import type { AutoScalingClient } from "@aws-sdk/client-auto-scaling";

// Every HTTP request the SDK sends (retries included), counted at the transport per
// (service, operation, region). The benchmark and the tests read these to prove the call floor.
// Kept on globalThis so every bundle of the server (route handlers, instrumentation) shares one tally.

export type AwsService = "autoscaling" | "cloudwatch" | "ec2" | "elasticloadbalancing" | "sqs";

export interface AwsCallCount {
  service: AwsService;
  operation: string;
  region: string;
  count: number;
}

const holder = globalThis as unknown as {
  __capstanAwsCalls?: Map<string, AwsCallCount>;
  __capstanAwsMetrics?: Map<string, number>;
};
const tally = (): Map<string, AwsCallCount> => (holder.__capstanAwsCalls ??= new Map());
/** Metric queries sent in GetMetricData requests, per region: what CloudWatch bills for. */
const metricTally = (): Map<string, number> => (holder.__capstanAwsMetrics ??= new Map());

export function recordAwsCall(service: AwsService, operation: string, region: string): void {
  const key = `${service}|${operation}|${region}`;
  const entry = tally().get(key);
  if (entry) entry.count += 1;
  else tally().set(key, { service, operation, region, count: 1 });
}

/** A snapshot of the counters, sorted by service, operation and region. */
export function awsCallCounts(): AwsCallCount[] {
  return [...tally().values()]
    .map((c) => ({ ...c }))
    .sort((a, b) =>
      `${a.service}|${a.operation}|${a.region}`.localeCompare(`${b.service}|${b.operation}|${b.region}`),
    );
}

/** The sum of the counters matching every given field (all calls when none is given). */
export function awsCallTotal(filter: Partial<Omit<AwsCallCount, "count">> = {}): number {
  return awsCallCounts()
    .filter((c) => (Object.keys(filter) as (keyof typeof filter)[]).every((k) => filter[k] === c[k]))
    .reduce((sum, c) => sum + c.count, 0);
}

/** Metrics requested (GetMetricData queries sent, retries included) in one region or all. */
export function awsMetricsRequested(region?: string): number {
  if (region !== undefined) return metricTally().get(region) ?? 0;
  return [...metricTally().values()].reduce((sum, n) => sum + n, 0);
}

export function resetAwsCallCounts(): void {
  tally().clear();
  metricTally().clear();
}

/**
 * Adds the counter to one client. It sits innermost in the deserialize step, inside the retry
 * loop (finalizeRequest), so each attempt that reaches the wire counts once.
 */
export function addCallCounter(
  client: { middlewareStack: unknown },
  service: AwsService,
  region: string,
): void {
  (client as unknown as AutoScalingClient).middlewareStack.add(
    (next, context) => (args) => {
      const operation = String(context.commandName ?? "Unknown").replace(/Command$/, "");
      recordAwsCall(service, operation, region);
      const queries = (args.input as { MetricDataQueries?: unknown[] }).MetricDataQueries;
      if (service === "cloudwatch" && Array.isArray(queries)) {
        metricTally().set(region, (metricTally().get(region) ?? 0) + queries.length);
      }
      return next(args);
    },
    { step: "deserialize", priority: "low", name: "capstanCallCounter", override: true },
  );
}
