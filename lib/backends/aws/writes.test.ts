import {
  AutoScalingClient,
  AutoScalingServiceException,
  DescribeScalingActivitiesCommand,
  ScalingActivityInProgressFault,
  SetDesiredCapacityCommand,
  UpdateAutoScalingGroupCommand,
} from "@aws-sdk/client-auto-scaling";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { BackendError } from "@/lib/fleet/types";
import { createAwsBackend } from ".";
import { stubbedConfig } from "@/test/support/aws/stubbed";

// Writes and activities against a stubbed SDK. The errors are built the way the SDK's awsQuery
// deserializer builds them (see transport.test.ts for the same errors parsed off the wire).

const asg = mockClient(AutoScalingClient);
afterEach(() => asg.reset());

const cfg = stubbedConfig();
const backend = () => createAwsBackend(cfg, {});

function awsQueryError(code: string, message: string, requestId: string) {
  const base = {
    $fault: "client" as const,
    $metadata: { httpStatusCode: 400, requestId, attempts: 1 },
    message,
  };
  const err =
    code === "ScalingActivityInProgress"
      ? new ScalingActivityInProgressFault(base)
      : new AutoScalingServiceException({ ...base, name: code });
  return Object.assign(err, { Code: code, Type: "Sender" });
}

async function failure(p: Promise<unknown>): Promise<BackendError> {
  const outcome = await p.then(
    () => new Error("expected the write to fail"),
    (e: unknown) => e,
  );
  expect(outcome).toBeInstanceOf(BackendError);
  return outcome as BackendError;
}

describe("writes", () => {
  it("SetDesiredCapacity ignores cooldowns and returns AWS's request id", async () => {
    asg.on(SetDesiredCapacityCommand).resolves({ $metadata: { httpStatusCode: 200, requestId: "c0ffee-1" } });
    expect(await backend().setDesiredCapacity("us-east-1", "app-1", 6)).toEqual({ requestId: "c0ffee-1" });
    expect(asg.commandCalls(SetDesiredCapacityCommand)[0]!.args[0].input).toEqual({
      AutoScalingGroupName: "app-1",
      DesiredCapacity: 6,
      HonorCooldown: false,
    });
  });

  it("a ValidationError reaches the operator with AWS's text and request id, not as a regional fault", async () => {
    const text = "New SetDesiredCapacity value 12 is above max value 10 for the AutoScalingGroup.";
    asg.on(SetDesiredCapacityCommand).rejects(awsQueryError("ValidationError", text, "7d1a-validation"));
    const err = await failure(backend().setDesiredCapacity("us-east-1", "app-1", 12));
    expect(err).toMatchObject({
      code: "ValidationError",
      message: text,
      requestId: "7d1a-validation",
      httpStatus: 400,
      regional: false,
    });
  });

  it("ScalingActivityInProgress keeps AWS's code (not the SDK class name), text and request id", async () => {
    const text = "Scaling activity 5c1b9f8e-1234 is in progress and blocks this action";
    asg.on(SetDesiredCapacityCommand).rejects(awsQueryError("ScalingActivityInProgress", text, "9e2f-busy"));
    const err = await failure(backend().setDesiredCapacity("us-east-1", "app-1", 4));
    expect(err).toMatchObject({
      code: "ScalingActivityInProgress",
      message: text,
      requestId: "9e2f-busy",
      regional: false,
    });
  });

  it("UpdateAutoScalingGroup sends only the fields given", async () => {
    asg.on(UpdateAutoScalingGroupCommand).resolves({ $metadata: { requestId: "upd-1" } });
    expect(await backend().updateGroupBounds("us-west-2", "app-dr", { max: 20 })).toEqual({
      requestId: "upd-1",
    });
    await backend().updateGroupBounds("us-west-2", "app-dr", { min: 2, desired: 3 });
    expect(asg.commandCalls(UpdateAutoScalingGroupCommand).map((c) => c.args[0].input)).toEqual([
      { AutoScalingGroupName: "app-dr", MaxSize: 20 },
      { AutoScalingGroupName: "app-dr", MinSize: 2, DesiredCapacity: 3 },
    ]);
  });

  it("UpdateAutoScalingGroup's bounds error comes back verbatim", async () => {
    const text = "Desired capacity:10 must be between the specified min size:1 and max size:1";
    asg.on(UpdateAutoScalingGroupCommand).rejects(awsQueryError("ValidationError", text, "b0b-1"));
    const err = await failure(backend().updateGroupBounds("us-east-1", "app-1", { max: 1 }));
    expect(err).toMatchObject({ code: "ValidationError", message: text, requestId: "b0b-1" });
  });

  it("an empty bounds change is refused before calling AWS", async () => {
    const err = await failure(backend().updateGroupBounds("us-east-1", "app-1", {}));
    expect(err.code).toBe("EmptyChange");
    expect(asg.calls()).toHaveLength(0);
  });
});

describe("describeActivities", () => {
  it("maps AWS's activities and follows a short page up to the limit", async () => {
    const activity = (n: number, status: string) => ({
      ActivityId: `act-${n}`,
      AutoScalingGroupName: "app-1",
      Description: `Launching a new EC2 instance: i-${n}`,
      Cause:
        "At 2025-01-06T12:00:00Z a user request explicitly set group desired capacity changing the desired capacity from 2 to 3.",
      StartTime: new Date(Date.UTC(2025, 0, 6, 12, n)),
      ...(status === "Successful" ? { EndTime: new Date(Date.UTC(2025, 0, 6, 12, n + 1)) } : {}),
      StatusCode: status as "Successful",
      Progress: status === "Successful" ? 100 : 30,
      Details: "{}",
    });
    asg
      .on(DescribeScalingActivitiesCommand, { NextToken: undefined })
      .resolves({
        Activities: [
          activity(9, "InProgress"),
          ...Array.from({ length: 39 }, (_, i) => activity(i, "Successful")),
        ],
        NextToken: "more",
        $metadata: {},
      })
      .on(DescribeScalingActivitiesCommand, { NextToken: "more" })
      .resolves({ Activities: Array.from({ length: 20 }, (_, i) => activity(i, "Failed")), $metadata: {} });

    const list = await backend().describeActivities("us-east-1", "app-1", 60);
    expect(asg.commandCalls(DescribeScalingActivitiesCommand).map((c) => c.args[0].input.MaxRecords)).toEqual(
      [60, 20],
    );
    expect(list).toHaveLength(60);
    expect(list[0]).toEqual({
      id: "act-9",
      groupName: "app-1",
      description: "Launching a new EC2 instance: i-9",
      cause: activity(9, "InProgress").Cause,
      startTime: "2025-01-06T12:09:00.000Z",
      statusCode: "InProgress",
      progress: 30,
    });
    expect(list[1]).toMatchObject({
      statusCode: "Successful",
      endTime: "2025-01-06T12:01:00.000Z",
      progress: 100,
    });
  });

  it("asks for 50 by default", async () => {
    asg.on(DescribeScalingActivitiesCommand).resolves({ Activities: [], $metadata: {} });
    expect(await backend().describeActivities("us-east-1", "app-1")).toEqual([]);
    expect(asg.commandCalls(DescribeScalingActivitiesCommand)[0]!.args[0].input.MaxRecords).toBe(50);
  });
});
