import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { describeInstances, INSTANCE_IDS_PER_CALL } from "./instances";

// The pool page's EC2 read against a stubbed SDK: batched by id, every page followed.

const ec2 = mockClient(EC2Client);
afterEach(() => ec2.reset());

const client = () => new EC2Client({ region: "us-east-1" });
const ids = (n: number) => Array.from({ length: n }, (_, k) => `i-${k.toString(16).padStart(17, "0")}`);

describe("describeInstances", () => {
  it("asks by instance-id filter, at most 200 ids a call, and maps launch time, AZ, type and monitoring", async () => {
    ec2.on(DescribeInstancesCommand).callsFake((input: { Filters: { Values: string[] }[] }) => ({
      Reservations: [
        {
          Instances: input.Filters[0]!.Values.map((id, k) => ({
            InstanceId: id,
            LaunchTime: new Date(Date.UTC(2026, 11, 1, 8, k % 60)),
            Placement: { AvailabilityZone: "us-east-1b" },
            InstanceType: "c5.large",
            Monitoring: { State: k % 2 ? "enabled" : "disabled" },
          })),
        },
      ],
    }));
    const wanted = ids(450);
    const out = await describeInstances(client(), "us-east-1", [...wanted, wanted[0]!]);
    const calls = ec2.commandCalls(DescribeInstancesCommand);
    expect(calls.map((c) => c.args[0].input.Filters![0]!.Values!.length)).toEqual([200, 200, 50]);
    expect(calls.every((c) => c.args[0].input.Filters![0]!.Name === "instance-id")).toBe(true);
    expect(INSTANCE_IDS_PER_CALL).toBe(200);
    expect(out).toHaveLength(450);
    expect(out[1]).toEqual({
      id: wanted[1],
      launchTime: "2026-12-01T08:01:00.000Z",
      availabilityZone: "us-east-1b",
      instanceType: "c5.large",
      detailedMonitoring: true,
    });
  });

  it("follows NextToken, and asks nothing for no ids", async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce({
        Reservations: [{ Instances: [{ InstanceId: "i-1", LaunchTime: new Date(0) }] }],
        NextToken: "t",
      })
      .resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: "i-2", LaunchTime: new Date(0) }] }] });
    expect((await describeInstances(client(), "us-east-1", ["i-1", "i-2"])).map((i) => i.id)).toEqual([
      "i-1",
      "i-2",
    ]);
    expect(ec2.commandCalls(DescribeInstancesCommand)[1]!.args[0].input.NextToken).toBe("t");
    ec2.reset();
    expect(await describeInstances(client(), "us-east-1", [])).toEqual([]);
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(0);
  });
});
