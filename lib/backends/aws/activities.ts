import "server-only";
import {
  DescribeScalingActivitiesCommand,
  type Activity,
  type AutoScalingClient,
} from "@aws-sdk/client-auto-scaling";
import type { ActivityStatus, ScalingActivity } from "@/lib/fleet/types";
import { mapped } from "./errors";

// A pool page's activity list. AWS answers in-progress first, then newest first; the order is kept.
// `limit` goes to AWS as MaxRecords (1–100): outside that range AWS's own ValidationError comes
// back, as the simulation gives it. A short page with a NextToken is followed up to the limit.

export const DEFAULT_ACTIVITY_LIMIT = 50;

export async function describeActivities(
  client: AutoScalingClient,
  region: string,
  groupName: string,
  limit = DEFAULT_ACTIVITY_LIMIT,
): Promise<ScalingActivity[]> {
  const out: ScalingActivity[] = [];
  let NextToken: string | undefined;
  do {
    const page = await mapped({ service: "autoscaling", region }, () =>
      client.send(
        new DescribeScalingActivitiesCommand({
          AutoScalingGroupName: groupName,
          MaxRecords: limit - out.length,
          NextToken,
        }),
      ),
    );
    out.push(...(page.Activities ?? []).map((a) => toActivity(a, groupName)));
    NextToken = page.NextToken;
  } while (NextToken && out.length < limit);
  return out.slice(0, limit);
}

export function toActivity(a: Activity, groupName: string): ScalingActivity {
  return {
    id: a.ActivityId ?? "",
    groupName: a.AutoScalingGroupName ?? groupName,
    description: a.Description ?? "",
    cause: a.Cause ?? "",
    startTime: a.StartTime?.toISOString() ?? "",
    ...(a.EndTime ? { endTime: a.EndTime.toISOString() } : {}),
    // AWS's status codes are Capstan's, verbatim (lib/fleet/types.ts).
    statusCode: (a.StatusCode ?? "InProgress") as ActivityStatus,
    ...(a.StatusMessage ? { statusMessage: a.StatusMessage } : {}),
    progress: a.Progress ?? 0,
  };
}
