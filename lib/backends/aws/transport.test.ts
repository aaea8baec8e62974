import http from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { BackendError } from "@/lib/fleet/types";
import { awsCallCounts, createAwsBackend, resetAwsCallCounts, type AwsBackend } from ".";
import { MAX_ATTEMPTS } from "./clients";
import { stubbedConfig } from "@/test/support/aws/stubbed";

// The real SDK stack (serialisation, standard retries, timeouts, error parsing, the call counter)
// against a local HTTP stub that answers the way AWS does when the emulator cannot: throttling,
// AWS's error XML and JSON, an endpoint that never answers.

type Reply = { status: number; body: string; type: string; requestId: string } | "hang";
let reply: (action: string) => Reply;
const seen: string[] = [];

const server = http.createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    const action =
      String(req.headers["x-amz-target"] ?? "").split(".")[1] ??
      new URLSearchParams(body).get("Action") ??
      "?";
    seen.push(action);
    const r = reply(action);
    if (r === "hang") return; // never answers: the per-attempt timeout must fire
    res.writeHead(r.status, { "content-type": r.type, "x-amzn-requestid": r.requestId });
    res.end(r.body);
  });
});

const queryError = (code: string, message: string, requestId: string): Reply => ({
  status: 400,
  type: "text/xml",
  requestId,
  body: `<ErrorResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
});
const jsonError = (code: string, message: string, requestId: string): Reply => ({
  status: 400,
  type: "application/x-amz-json-1.0",
  requestId,
  body: JSON.stringify({ __type: `com.amazonaws.cloudwatch#${code}`, message }),
});

let backend: AwsBackend;
const sockets = new Set<import("node:net").Socket>();
server.on("connection", (s) => {
  sockets.add(s);
  s.on("close", () => sockets.delete(s));
});

beforeAll(async () => {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  vi.stubEnv("AWS_ACCESS_KEY_ID", "testing");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "testing");
  const cfg = stubbedConfig();
  backend = createAwsBackend(cfg, { CAPSTAN_AWS_ENDPOINT_URL_US_EAST_1: url }, { requestTimeoutMs: 400 });
});

afterAll(async () => {
  backend.close();
  vi.unstubAllEnvs();
  for (const s of sockets) s.destroy();
  server.close();
});

beforeEach(() => {
  seen.length = 0;
  resetAwsCallCounts();
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => new Error("expected a failure"),
    (e: unknown) => e,
  );

describe("the SDK stack against AWS-shaped failures", () => {
  it("Auto Scaling throttling is retried (3 attempts, each counted), then a regional 'Rate exceeded'", async () => {
    let n = 0;
    reply = () => queryError("Throttling", "Rate exceeded", `throttle-${++n}`);
    const err = await failure(backend.listGroups("us-east-1"));
    expect(err).toBeInstanceOf(BackendError);
    expect(err).toMatchObject({
      code: "Throttling",
      message: "Rate exceeded",
      httpStatus: 400,
      regional: true,
    });
    expect((err as BackendError).requestId).toMatch(/^throttle-\d+$/);
    expect(seen.filter((a) => a === "DescribeAutoScalingGroups")).toHaveLength(MAX_ATTEMPTS);
    expect(awsCallCounts().find((c) => c.operation === "DescribeAutoScalingGroups")).toEqual({
      service: "autoscaling",
      operation: "DescribeAutoScalingGroups",
      region: "us-east-1",
      count: MAX_ATTEMPTS,
    });
  });

  it("CloudWatch throttling (JSON protocol) likewise ends as a regional 'Throttling'", async () => {
    reply = () => jsonError("Throttling", "Rate exceeded", "cw-throttle");
    const err = await failure(
      backend.getMetricData(
        "us-east-1",
        [
          {
            id: "cpu",
            namespace: "AWS/EC2",
            metricName: "CPUUtilization",
            dimensions: {},
            statistic: "Average",
            period: 60,
          },
        ],
        { start: 0, end: 60_000 },
      ),
    );
    expect(err).toMatchObject({
      code: "Throttling",
      message: "Rate exceeded",
      requestId: "cw-throttle",
      regional: true,
    });
    // (The previous test's policy lookup may still be retrying in the background: count ours.)
    expect(seen.filter((a) => a === "GetMetricData")).toHaveLength(MAX_ATTEMPTS);
  });

  it("a throttle that clears within the retries is invisible to the caller", async () => {
    let n = 0;
    reply = (action) =>
      ++n === 1
        ? queryError("Throttling", "Rate exceeded", "once")
        : {
            status: 200,
            type: "text/xml",
            requestId: "ok",
            body: `<${action}Response xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><${action}Result/><ResponseMetadata><RequestId>ok</RequestId></ResponseMetadata></${action}Response>`,
          };
    expect(await backend.setDesiredCapacity("us-east-1", "app-1", 3)).toEqual({ requestId: "ok" });
    expect(seen.filter((a) => a === "SetDesiredCapacity")).toHaveLength(2);
  });

  it("ScalingActivityInProgress off the wire: AWS's code, text and request id, not retried", async () => {
    const text = "Scaling activity 5c1b9f8e-1234 is in progress and blocks this action";
    reply = () => queryError("ScalingActivityInProgress", text, "busy-1");
    const err = await failure(backend.setDesiredCapacity("us-east-1", "app-1", 3));
    expect(err).toMatchObject({
      code: "ScalingActivityInProgress",
      message: text,
      requestId: "busy-1",
      regional: false,
    });
    expect(seen.filter((a) => a === "SetDesiredCapacity")).toHaveLength(1);
  });

  it("ValidationError off the wire keeps AWS's text", async () => {
    const text = "New SetDesiredCapacity value 2 is above max value 1 for the AutoScalingGroup.";
    reply = () => queryError("ValidationError", text, "val-1");
    const err = await failure(backend.setDesiredCapacity("us-east-1", "app-1", 2));
    expect(err).toMatchObject({
      code: "ValidationError",
      message: text,
      requestId: "val-1",
      httpStatus: 400,
      regional: false,
    });
  });

  it("an endpoint that never answers times out per attempt and is reported as regional", async () => {
    reply = () => "hang";
    const err = await failure(backend.describeActivities("us-east-1", "app-1"));
    expect(err).toMatchObject({ code: "TimeoutError", regional: true });
    expect(seen.filter((a) => a === "DescribeScalingActivities")).toHaveLength(MAX_ATTEMPTS);
  });

  it("the caller's AbortSignal cancels the request at once", async () => {
    reply = () => "hang";
    const ctl = new AbortController();
    const pending = failure(backend.listGroups("us-east-1", ctl.signal));
    await vi.waitUntil(() => seen.includes("DescribeAutoScalingGroups"));
    ctl.abort();
    expect(await pending).toMatchObject({ code: "AbortError", regional: true });
  });
});
