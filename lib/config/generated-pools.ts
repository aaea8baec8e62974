import type { PoolConfig } from "./schema";

/** CAPSTAN_SIM_EXTRA_POOLS: load-test pools that look like the reference ones (web and worker). */
export function generatedPools(n: number, regions: { primary: string; standby: string }): PoolConfig[] {
  const pools: PoolConfig[] = [];
  for (let i = 1; i <= n; i++) {
    const id = `gen-${String(i).padStart(4, "0")}`;
    const web = i % 2 === 1;
    const groups = { [regions.primary]: `sim-prod-${id}`, [regions.standby]: `sim-dr-${id}` };
    pools.push({
      id,
      name: `Generated ${web ? "web" : "worker"} pool ${i}`,
      tier: web ? "web" : "worker",
      groups,
      metrics: web
        ? {
            cpu: cpuMetric(),
            pageLoad: pageLoadMetric(id, "p90"),
            pageLoadMedian: pageLoadMetric(id, "p50"),
          }
        : {
            cpu: cpuMetric(),
            backlog: {
              namespace: "AWS/SQS",
              metric: "ApproximateNumberOfMessagesVisible",
              dimensions: { QueueName: { [regions.primary]: `prod-${id}`, [regions.standby]: `dr-${id}` } },
              statistic: "Maximum",
              unit: "Count",
              period: 60,
            },
          },
      guardrails: { floor: { [regions.primary]: 1 }, maxStep: 10 },
      instance: { type: "m5.large", hourlyPrice: 0.096 },
      targets: web ? { pageLoadP90Ms: 900, cpuPercent: 70 } : { cpuPercent: 80, backlog: 500 },
      simulation: {
        capacity: {
          [regions.primary]: { min: 1, max: 20, desired: 4 },
          [regions.standby]: { min: 1, max: 20, desired: 2 },
        },
        throughputPerInstance: 25,
        peakRate: 50 + (i % 7) * 5,
        requestsPerPage: web ? 3 : 1,
        bursts: "none",
        fronts: [],
        hasScalingPolicies: false,
        hasScheduledActions: false,
      },
    });
  }
  return pools;
}

function cpuMetric() {
  return {
    namespace: "AWS/EC2",
    metric: "CPUUtilization",
    dimensions: { AutoScalingGroupName: "{group}" },
    statistic: "Average" as const,
    unit: "Percent" as const,
    period: 60 as const,
  };
}

function pageLoadMetric(id: string, statistic: `p${number}`) {
  return {
    namespace: "AWS/ApplicationELB",
    metric: "TargetResponseTime",
    dimensions: {
      LoadBalancer: `app/sim-${id}/0123456789abcdef`,
      TargetGroup: `targetgroup/${id}/0123456789abcdef`,
    },
    statistic,
    unit: "Seconds" as const,
    period: 60 as const,
  };
}
