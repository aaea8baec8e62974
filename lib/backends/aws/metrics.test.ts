import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import type { MetricQuery } from "@/lib/fleet/types";
import { createAwsBackend } from ".";
import { stubbedConfig } from "@/test/support/aws/stubbed";

// GetMetricData against a stubbed SDK: batching, paging, alignment, PartialData as gaps.

const cw = mockClient(CloudWatchClient);
afterEach(() => cw.reset());

const meta = { $metadata: { httpStatusCode: 200, requestId: "req-cw" } };
const cfg = stubbedConfig();
const backend = () => createAwsBackend(cfg, {});

const MIN = 60_000;
const T0 = Date.UTC(2025, 0, 6, 12, 0); // a whole hour
const q = (id: string, extra: Partial<MetricQuery> = {}): MetricQuery => ({
  id,
  namespace: "AWS/EC2",
  metricName: "CPUUtilization",
  dimensions: { AutoScalingGroupName: "app-1" },
  statistic: "Average",
  period: 60,
  ...extra,
});

describe("getMetricData", () => {
  it("asks once for every query, aligned to the period, oldest first, and fills missing minutes with null", async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        {
          Id: "cpu",
          StatusCode: "Complete",
          Timestamps: [new Date(T0), new Date(T0 + 2 * MIN)],
          Values: [40, 42],
        },
        { Id: "lat", StatusCode: "Complete", Timestamps: [new Date(T0 + MIN)], Values: [0.12] },
      ],
      ...meta,
    });
    const range = { start: T0 + 20_000, end: T0 + 3 * MIN - 5_000 }; // neither end on a minute
    const [cpu, lat] = await backend().getMetricData(
      "us-east-1",
      [
        q("cpu"),
        q("lat", {
          namespace: "AWS/ApplicationELB",
          metricName: "TargetResponseTime",
          dimensions: { LoadBalancer: "app/x/1", TargetGroup: "targetgroup/x/2" },
          statistic: "p90",
        }),
      ],
      range,
    );

    const calls = cw.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.StartTime).toEqual(new Date(T0));
    expect(input.EndTime).toEqual(new Date(T0 + 3 * MIN));
    expect(input.ScanBy).toBe("TimestampAscending");
    expect(input.MetricDataQueries![1]).toEqual({
      Id: "lat",
      ReturnData: true,
      MetricStat: {
        Metric: {
          Namespace: "AWS/ApplicationELB",
          MetricName: "TargetResponseTime",
          Dimensions: [
            { Name: "LoadBalancer", Value: "app/x/1" },
            { Name: "TargetGroup", Value: "targetgroup/x/2" },
          ],
        },
        Period: 60,
        Stat: "p90",
      },
    } satisfies MetricDataQuery);
    expect(cpu).toEqual({
      id: "cpu",
      status: "Complete",
      messages: [],
      points: [
        [T0, 40],
        [T0 + MIN, null],
        [T0 + 2 * MIN, 42],
      ],
    });
    expect(lat!.points).toEqual([
      [T0, null],
      [T0 + MIN, 0.12],
      [T0 + 2 * MIN, null],
    ]);
  });

  it("aligns a mixed batch to its widest period, and each series to its own", async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: "fine", StatusCode: "Complete", Timestamps: [new Date(T0 + 6 * MIN)], Values: [3] },
        { Id: "coarse", StatusCode: "Complete", Timestamps: [new Date(T0 + 5 * MIN)], Values: [7] },
      ],
      ...meta,
    });
    const [fine, coarse] = await backend().getMetricData(
      "us-east-1",
      [q("fine"), q("coarse", { period: 300 })],
      { start: T0 + 4 * MIN, end: T0 + 7 * MIN },
    );
    const input = cw.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect([input.StartTime, input.EndTime]).toEqual([new Date(T0), new Date(T0 + 10 * MIN)]);
    expect(fine!.points).toEqual([
      [T0 + 4 * MIN, null],
      [T0 + 5 * MIN, null],
      [T0 + 6 * MIN, 3],
    ]);
    expect(coarse!.points).toEqual([
      [T0, null],
      [T0 + 5 * MIN, 7],
    ]);
  });

  it("follows NextToken and merges each id's pages", async () => {
    cw.on(GetMetricDataCommand, { NextToken: undefined })
      .resolves({
        MetricDataResults: [
          { Id: "cpu", StatusCode: "PartialData", Timestamps: [new Date(T0)], Values: [1] },
        ],
        NextToken: "page-2",
        ...meta,
      })
      .on(GetMetricDataCommand, { NextToken: "page-2" })
      .resolves({
        MetricDataResults: [
          { Id: "cpu", StatusCode: "Complete", Timestamps: [new Date(T0 + MIN)], Values: [2] },
        ],
        ...meta,
      });
    const [cpu] = await backend().getMetricData("us-east-1", [q("cpu")], { start: T0, end: T0 + 2 * MIN });
    expect(cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.NextToken)).toEqual([
      undefined,
      "page-2",
    ]);
    expect(cpu).toEqual({
      id: "cpu",
      status: "Complete",
      messages: [],
      points: [
        [T0, 1],
        [T0 + MIN, 2],
      ],
    });
  });

  it("splits more than 500 queries into ceil(n / 500) calls and keeps the caller's order", async () => {
    cw.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries: MetricDataQuery[] }) => ({
      MetricDataResults: input.MetricDataQueries.map((mq) => ({
        Id: mq.Id,
        StatusCode: "Complete",
        Timestamps: [new Date(T0)],
        Values: [Number(mq.Id!.slice(1))],
      })),
      ...meta,
    }));
    const queries = Array.from({ length: 1001 }, (_, i) => q(`q${i}`));
    const series = await backend().getMetricData("us-east-1", queries, { start: T0, end: T0 + MIN });
    expect(
      cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input.MetricDataQueries!.length),
    ).toEqual([500, 500, 1]);
    expect(series.map((s) => s.id)).toEqual(queries.map((x) => x.id));
    expect(series.map((s) => s.points[0]![1])).toEqual(queries.map((_, i) => i));
  });

  it("carries PartialData and CloudWatch's messages through, the missing points as gaps", async () => {
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        {
          Id: "cpu",
          StatusCode: "PartialData",
          Timestamps: [new Date(T0 + 2 * MIN)],
          Values: [55],
          Messages: [{ Code: "MaxDatapointsExceeded", Value: "Too many datapoints requested" }],
        },
        { Id: "denied", StatusCode: "Forbidden", Timestamps: [], Values: [] },
      ],
      Messages: [{ Code: "Warning", Value: "Maximum number of allowed metrics exceeded" }],
      ...meta,
    });
    const [cpu, denied, lost] = await backend().getMetricData(
      "us-east-1",
      [q("cpu"), q("denied"), q("lost")],
      {
        start: T0,
        end: T0 + 3 * MIN,
      },
    );
    expect(cpu).toEqual({
      id: "cpu",
      status: "PartialData",
      messages: [
        "MaxDatapointsExceeded: Too many datapoints requested",
        "Warning: Maximum number of allowed metrics exceeded",
      ],
      points: [
        [T0, null],
        [T0 + MIN, null],
        [T0 + 2 * MIN, 55],
      ],
    });
    expect(denied).toEqual({
      id: "denied",
      status: "Forbidden",
      messages: ["Warning: Maximum number of allowed metrics exceeded"],
      points: [],
    });
    // An id CloudWatch did not answer at all is a gap with a reason, never zeros.
    expect(lost!.status).toBe("PartialData");
    expect(lost!.messages).toContain("CloudWatch returned no result for this query");
  });

  it("makes no call for no queries", async () => {
    expect(await backend().getMetricData("us-east-1", [], { start: T0, end: T0 + MIN })).toEqual([]);
    expect(cw.calls()).toHaveLength(0);
  });
});
