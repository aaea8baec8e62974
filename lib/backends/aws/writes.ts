import "server-only";
import {
  SetDesiredCapacityCommand,
  UpdateAutoScalingGroupCommand,
  type AutoScalingClient,
} from "@aws-sdk/client-auto-scaling";
import { BackendError, type BoundsChange, type WriteResult } from "@/lib/fleet/types";
import { mapped } from "./errors";

// The two writes Capstan makes. AWS has no compare-and-set: lib/services re-reads and compares
// before calling these. AWS's error code, text and request id come back unchanged for the audit log.

export async function setDesiredCapacity(
  client: AutoScalingClient,
  region: string,
  groupName: string,
  desired: number,
): Promise<WriteResult> {
  const out = await mapped({ service: "autoscaling", region }, () =>
    client.send(
      // A person asked for this number now: cooldowns are for policies, not for people.
      new SetDesiredCapacityCommand({
        AutoScalingGroupName: groupName,
        DesiredCapacity: desired,
        HonorCooldown: false,
      }),
    ),
  );
  return { requestId: out.$metadata.requestId };
}

/** Sends only the fields present in `change`: UpdateAutoScalingGroup leaves the others as they are. */
export async function updateGroupBounds(
  client: AutoScalingClient,
  region: string,
  groupName: string,
  change: BoundsChange,
): Promise<WriteResult> {
  const fields = {
    ...(change.min !== undefined ? { MinSize: change.min } : {}),
    ...(change.max !== undefined ? { MaxSize: change.max } : {}),
    ...(change.desired !== undefined ? { DesiredCapacity: change.desired } : {}),
  };
  if (Object.keys(fields).length === 0) {
    throw new BackendError("EmptyChange", "Nothing to change: give min, max or desired.");
  }
  const out = await mapped({ service: "autoscaling", region }, () =>
    client.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: groupName, ...fields })),
  );
  return { requestId: out.$metadata.requestId };
}
