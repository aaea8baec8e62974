import "server-only";
import type { ActivityStatus, ScalingActivity } from "@/lib/fleet/types";
import type { SimActivity, SimGroup } from "./store";

// Scaling activities as AWS reports them. Only start, end and cause are stored; the status and
// progress an operator sees are read off the clock, so nothing needs updating as time passes.

/** AWS writes cause timestamps to the second. */
export function awsTime(t: number): string {
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function userSetCause(t: number, from: number, to: number): string {
  return `At ${awsTime(t)} a user request explicitly set group desired capacity changing the desired capacity from ${from} to ${to}.`;
}

export function boundsCause(
  t: number,
  b: { min: number; max: number; desired?: number },
  from: number,
  to: number,
): string {
  const desired = b.desired === undefined ? "" : `, desired: ${b.desired}`;
  return `At ${awsTime(t)} a user request update of AutoScalingGroup constraints to min: ${b.min}, max: ${b.max}${desired} changing the desired capacity from ${from} to ${to}.`;
}

/** The second sentence of every launch or scale-in: the group closing a desired/actual gap. */
export function differenceCause(t: number, from: number, to: number): string {
  return to > from
    ? `At ${awsTime(t)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${from} to ${to}.`
    : `At ${awsTime(t)} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from ${from} to ${to}.`;
}

export function healthCause(t: number): string {
  return `At ${awsTime(t)} an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped.`;
}

/** AWS separates the sentences of a cause with two spaces. */
export function joinCauses(...parts: string[]): string {
  return parts.filter(Boolean).join("  ");
}

/** Status and progress at `now`: launches walk through AWS's pre-in-service codes over the warm-up. */
function statusAt(a: SimActivity, now: number): { statusCode: ActivityStatus; progress: number } {
  if (now >= a.end) return { statusCode: "Successful", progress: 100 };
  if (a.kind === "terminate") return { statusCode: "WaitingForELBConnectionDraining", progress: 50 };
  const f = (now - a.start) / Math.max(1, a.end - a.start);
  if (f < 0.3) return { statusCode: "PreInService", progress: 20 };
  if (f < 0.6) return { statusCode: "MidLifecycleAction", progress: 50 };
  return { statusCode: "WaitingForInstanceWarmup", progress: 75 };
}

export function activityView(a: SimActivity, groupName: string, now: number): ScalingActivity {
  const { statusCode, progress } = statusAt(a, now);
  const verb = a.kind === "launch" ? "Launching a new EC2 instance" : "Terminating EC2 instance";
  return {
    id: a.id,
    groupName,
    description: `${verb}: ${a.instanceId}`,
    cause: a.cause,
    startTime: new Date(a.start).toISOString(),
    ...(statusCode === "Successful" ? { endTime: new Date(a.end).toISOString() } : {}),
    statusCode,
    progress,
  };
}

/** Newest first with in-progress ones on top, as DescribeScalingActivities lists them. */
export function describeActivities(
  g: SimGroup,
  groupName: string,
  now: number,
  limit: number,
): ScalingActivity[] {
  return g.activities
    .filter((a) => a.start <= now)
    .sort((x, y) => Number(y.end > now) - Number(x.end > now) || y.start - x.start || y.n - x.n)
    .slice(0, limit)
    .map((a) => activityView(a, groupName, now));
}
