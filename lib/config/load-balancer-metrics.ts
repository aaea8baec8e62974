import type { MetricConfig } from "./schema";

// The Application Load Balancer metrics of a pool, from its target group: TargetResponseTime
// (p90 as page load, p50 as its median) and RequestCount, by LoadBalancer and TargetGroup.
// The same blocks are written by `npm run discover` and derived at run time for a pool whose
// configuration has no page-load metric, so both draw exactly the same series.

/** A dimension value for every region, or one per region. */
export type DimensionValue = string | Record<string, string>;

export interface LoadBalancerDimensions {
  /** `app/<name>/<id>`: the load balancer ARN after `loadbalancer/`. */
  LoadBalancer: DimensionValue;
  /** `targetgroup/<name>/<id>`: the target group ARN after its account id. */
  TargetGroup: DimensionValue;
}

export interface AlbMetrics {
  pageLoad: MetricConfig;
  pageLoadMedian: MetricConfig;
  requestCount: MetricConfig;
}

/** Load balancer metrics are published every minute whatever the instances' monitoring. */
export function albMetrics(dimensions: LoadBalancerDimensions): AlbMetrics {
  const ns = "AWS/ApplicationELB";
  const dims = () => ({ ...dimensions });
  return {
    pageLoad: {
      namespace: ns,
      metric: "TargetResponseTime",
      dimensions: dims(),
      statistic: "p90",
      unit: "Seconds",
      period: 60,
    },
    pageLoadMedian: {
      namespace: ns,
      metric: "TargetResponseTime",
      dimensions: dims(),
      statistic: "p50",
      unit: "Seconds",
      period: 60,
    },
    requestCount: {
      namespace: ns,
      metric: "RequestCount",
      dimensions: dims(),
      statistic: "Sum",
      unit: "Count",
      period: 60,
    },
  };
}

/** `arn:aws:elasticloadbalancing:r:acct:targetgroup/web/73e2…` → `targetgroup/web/73e2…`. */
export function targetGroupDimension(arn: string): string | null {
  const m = /:(targetgroup\/[^/]+\/[^/]+)$/.exec(arn);
  return m ? m[1]! : null;
}

/** `arn:…:loadbalancer/app/web/50dc…` → `app/web/50dc…` (`net/…` for a network load balancer). */
export function loadBalancerDimension(arn: string): string | null {
  const m = /:loadbalancer\/((?:app|net|gwy)\/[^/]+\/[^/]+)$/.exec(arn);
  return m ? m[1]! : null;
}
