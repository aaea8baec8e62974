// Capstan's own words for a fleet. Nothing outside lib/backends/* sees a vendor shape.

export type Tier = "web" | "worker" | "infra";
export type RegionRole = "primary" | "standby";

/** EC2 Auto Scaling lifecycle states Capstan shows (a subset of AWS's; others map to the nearest). */
export type LifecycleState = "Pending" | "InService" | "Terminating" | "Terminated" | "Standby" | "Detaching";

export type HealthStatus = "Healthy" | "Unhealthy";

export interface Instance {
  id: string;
  availabilityZone: string;
  lifecycleState: LifecycleState;
  health: HealthStatus;
  instanceType: string;
  /** ISO-8601 UTC */
  launchTime: string;
}

/** One Auto Scaling group as the backend sees it, already attributed to a pool. */
export interface GroupState {
  poolId: string;
  region: string;
  groupName: string;
  min: number;
  max: number;
  desired: number;
  instances: Instance[];
  /** Instance types in use (from instances or the launch template). */
  instanceTypes: string[];
  /** True when policies or scheduled actions may move desired on their own. */
  hasScalingPolicies: boolean;
  hasScheduledActions: boolean;
  /** Group tags (discovery reads `capstan:pool`, `capstan:tier`). */
  tags: Record<string, string>;
  /**
   * Where the group's page load is measured, resolved from its target group (AWS backend, only for
   * pools whose configuration has no page-load metric): CloudWatch dimension values.
   */
  loadBalancerTarget?: { loadBalancer: string; targetGroup: string };
}

/** What EC2 knows of one instance that Auto Scaling does not say (launch time, monitoring). */
export interface InstanceDetail {
  id: string;
  /** ISO-8601 UTC */
  launchTime: string;
  availabilityZone: string;
  instanceType: string;
  /** Detailed monitoring: CPU every minute instead of every five. */
  detailedMonitoring: boolean;
}

/** AWS Auto Scaling activity status codes, verbatim. */
export type ActivityStatus =
  | "PendingSpotBidPlacement"
  | "WaitingForSpotInstanceRequestId"
  | "WaitingForSpotInstanceId"
  | "WaitingForInstanceId"
  | "PreInService"
  | "InProgress"
  | "WaitingForELBConnectionDraining"
  | "MidLifecycleAction"
  | "WaitingForInstanceWarmup"
  | "Successful"
  | "Failed"
  | "Cancelled"
  | "WaitingForConnectionDraining";

export interface ScalingActivity {
  id: string;
  groupName: string;
  description: string;
  cause: string;
  /** ISO-8601 UTC */
  startTime: string;
  endTime?: string;
  statusCode: ActivityStatus;
  statusMessage?: string;
  progress: number;
}

export type Statistic = "Average" | "Maximum" | "Minimum" | "Sum" | "SampleCount" | `p${number}`;

/** One CloudWatch-style metric query; `id` must be unique within a call ([a-z][a-zA-Z0-9_]*). */
export interface MetricQuery {
  id: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  statistic: Statistic;
  /** seconds: 60, 300, 900 or 3600 */
  period: number;
}

/** [epoch milliseconds, value]; a null value is a gap (no data), never a zero. */
export type Point = [number, number | null];

export interface MetricSeries {
  id: string;
  points: Point[];
  /** "PartialData" means some points are missing and must be drawn as gaps. */
  status: "Complete" | "PartialData" | "InternalError" | "Forbidden";
  messages: string[];
}

export interface TimeRange {
  /** epoch ms, inclusive */
  start: number;
  /** epoch ms, exclusive */
  end: number;
}

export interface WriteResult {
  /** The backend's request id (AWS `x-amzn-RequestId`), for the audit log. */
  requestId?: string;
}

export interface BoundsChange {
  min?: number;
  max?: number;
  desired?: number;
}

/**
 * The seam. `lib/backends/simulated` and `lib/backends/aws` implement it; one contract suite
 * (test/support/backends/contract.ts) runs against both.
 * Every method throws BackendError for a failure the operator should see verbatim.
 */
export interface FleetBackend {
  readonly kind: "simulated" | "aws";
  /** Every pool's group in the region (discovery tag plus configured group names). */
  listGroups(region: string, signal?: AbortSignal): Promise<GroupState[]>;
  /** Metric series for the queries, each aligned to its period and covering `range`. */
  getMetricData(
    region: string,
    queries: MetricQuery[],
    range: TimeRange,
    signal?: AbortSignal,
  ): Promise<MetricSeries[]>;
  /**
   * EC2's view of the given instances (launch time, AZ, type, monitoring); ids it does not know are
   * left out. Batched by the backend; called only for one pool's page.
   */
  describeInstances(region: string, instanceIds: string[], signal?: AbortSignal): Promise<InstanceDetail[]>;
  /** Newest first, in-progress first, like AWS. */
  describeActivities(region: string, groupName: string, limit?: number): Promise<ScalingActivity[]>;
  setDesiredCapacity(region: string, groupName: string, desired: number): Promise<WriteResult>;
  /** Admin change of min / max (and optionally desired) in one call. */
  updateGroupBounds(region: string, groupName: string, change: BoundsChange): Promise<WriteResult>;
}

const BACKEND_ERROR = Symbol.for("capstan.BackendError");

/** A failure reported by (or on the way to) the backend, with AWS's code and message unchanged. */
export class BackendError extends Error {
  /**
   * The backend is a process-wide singleton, while Next.js may bundle this module into several
   * chunks (routes, pages): `instanceof` must recognise an error from any copy of the class.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === "object" &&
      value !== null &&
      (value as Record<symbol, unknown>)[BACKEND_ERROR] === true
    );
  }
  readonly [BACKEND_ERROR] = true;
  readonly code: string;
  readonly requestId?: string;
  readonly httpStatus?: number;
  /** Throttling, timeouts and unreachable endpoints: a region-level condition, not a bad request. */
  readonly regional: boolean;
  /**
   * Did the backend answer definitely? False when no reply came (timeout, lost connection,
   * cancelled) or the reply does not say whether the request was applied (a server-side failure):
   * a write that ends so has an unknown outcome, not a failed one. Set where the error is made.
   */
  readonly answered: boolean;

  constructor(
    code: string,
    message: string,
    opts: { requestId?: string; httpStatus?: number; regional?: boolean; answered?: boolean } = {},
  ) {
    super(message);
    this.name = "BackendError";
    this.code = code;
    this.requestId = opts.requestId;
    this.httpStatus = opts.httpStatus;
    this.regional = opts.regional ?? false;
    this.answered = opts.answered ?? true;
  }
}
