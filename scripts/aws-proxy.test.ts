import http from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  SetDesiredCapacityCommand,
} from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { startAwsProxy, type AwsProxy } from "../e2e/support/aws-proxy";

// The counting proxy of the replica tests (e2e/support/aws-proxy.ts) — it lives in e2e/ with the
// harness that uses it, and is unit-tested here because vitest's include stops short of e2e/.
// The upstream is a recorder, not moto: what matters is what reaches it, byte for byte.

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let upstream: http.Server;
let upstreamUrl: string;
let seen: Seen[] = [];
let proxy: AwsProxy;

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      res.writeHead(200, { "content-type": "text/plain", "x-upstream": "yes" });
      res.end(`upstream saw ${req.method} ${req.url}`);
    });
  });
  upstream.listen(0, "127.0.0.1");
  await once(upstream, "listening");
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  proxy = await startAwsProxy(upstreamUrl);
});

afterAll(async () => {
  await proxy.stop();
  upstream.closeAllConnections();
  upstream.close();
});

afterEach(() => {
  proxy.reset();
  seen = [];
});

const clientConfig = (region: string) => ({
  region,
  endpoint: proxy.url,
  credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  maxAttempts: 1,
});

/** An SDK call against the recorder: its reply is not valid AWS, so the SDK fails; the count is what matters. */
async function attempt(p: Promise<unknown>) {
  await p.catch(() => undefined);
}

describe("aws-proxy", () => {
  it("forwards method, path, headers and body unchanged and returns the upstream reply", async () => {
    const res = await fetch(`${proxy.url}/some/path?x=1`, {
      method: "PUT",
      headers: { "x-custom": "kept", "content-type": "application/octet-stream" },
      body: "payload bytes",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-upstream")).toBe("yes");
    expect(await res.text()).toBe("upstream saw PUT /some/path?x=1");
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: "PUT", url: "/some/path?x=1", body: "payload bytes" });
    expect(seen[0]!.headers["x-custom"]).toBe("kept");
    expect(seen[0]!.headers.host).toBe(new URL(proxy.url).host);
  });

  it("counts what the pinned SDKs send, by action and region (awsQuery form body, AWS JSON X-Amz-Target)", async () => {
    const east = new AutoScalingClient(clientConfig("us-east-1"));
    const west = new AutoScalingClient(clientConfig("us-west-2"));
    const cw = new CloudWatchClient(clientConfig("us-west-2"));
    try {
      await attempt(east.send(new DescribeAutoScalingGroupsCommand({})));
      await attempt(east.send(new DescribeAutoScalingGroupsCommand({})));
      await attempt(
        west.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: "g", DesiredCapacity: 2 })),
      );
      await attempt(
        cw.send(
          new GetMetricDataCommand({
            StartTime: new Date(Date.now() - 3600_000),
            EndTime: new Date(),
            MetricDataQueries: [
              {
                Id: "q",
                MetricStat: {
                  Metric: { Namespace: "AWS/EC2", MetricName: "CPUUtilization" },
                  Period: 60,
                  Stat: "Average",
                },
              },
            ],
          }),
        ),
      );
    } finally {
      east.destroy();
      west.destroy();
      cw.destroy();
    }
    const c = proxy.counts();
    expect(c.byAction).toEqual({ DescribeAutoScalingGroups: 2, SetDesiredCapacity: 1, GetMetricData: 1 });
    expect(c.byRegion).toEqual({
      "us-east-1": { DescribeAutoScalingGroups: 2 },
      "us-west-2": { SetDesiredCapacity: 1, GetMetricData: 1 },
    });
    expect(c.total).toBe(4);
    // CloudWatch speaks AWS JSON 1.0 in this SDK version (the header the proxy reads).
    expect(seen.find((s) => s.headers["x-amz-target"])?.headers["x-amz-target"]).toBe(
      "GraniteServiceVersion20100801.GetMetricData",
    );
    expect(proxy.calls().map((x) => x.action)).toEqual([
      "DescribeAutoScalingGroups",
      "DescribeAutoScalingGroups",
      "SetDesiredCapacity",
      "GetMetricData",
    ]);
  });

  it("holds an action until release, then forwards it even though its client has gone", async () => {
    proxy.hold("SetDesiredCapacity");
    const abort = new AbortController();
    const sent = fetch(`${proxy.url}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: "Action=SetDesiredCapacity&Version=2011-01-01&AutoScalingGroupName=g&DesiredCapacity=5",
      signal: abort.signal,
    }).catch((e: unknown) => e);
    await expect.poll(() => proxy.held()).toBe(1);
    // Other actions still pass while one is held.
    const other = await fetch(`${proxy.url}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=DescribeAutoScalingGroups&Version=2011-01-01",
    });
    expect(other.status).toBe(200);
    expect(seen.map((s) => s.body)).toEqual(["Action=DescribeAutoScalingGroups&Version=2011-01-01"]);
    abort.abort(); // the caller dies with its request in flight
    await sent;
    expect(await proxy.release()).toBe(1);
    expect(proxy.held()).toBe(0);
    expect(seen.map((s) => s.body)).toContain(
      "Action=SetDesiredCapacity&Version=2011-01-01&AutoScalingGroupName=g&DesiredCapacity=5",
    );
    expect(proxy.counts().byAction).toEqual({ SetDesiredCapacity: 1, DescribeAutoScalingGroups: 1 });
    // After release, the action flows again.
    const again = await fetch(`${proxy.url}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=SetDesiredCapacity&Version=2011-01-01",
    });
    expect(again.status).toBe(200);
  });

  it("answers its control endpoints over HTTP, which are never counted or forwarded", async () => {
    const ctl = (p: string, init?: RequestInit) =>
      fetch(`${proxy.url}/__capstan/${p}`, init).then((r) => r.json());
    await fetch(`${proxy.url}/`, {
      method: "POST",
      headers: { "x-amz-target": "GraniteServiceVersion20100801.GetMetricData" },
      body: "{}",
    });
    expect(await ctl("counts")).toMatchObject({ byAction: { GetMetricData: 1 }, total: 1, held: 0 });
    expect(await ctl("hold", { method: "POST", body: JSON.stringify({ action: "GetMetricData" }) })).toEqual({
      holding: ["GetMetricData"],
    });
    const pending = fetch(`${proxy.url}/`, {
      method: "POST",
      headers: { "x-amz-target": "X.GetMetricData" },
      body: "{}",
    });
    await expect.poll(() => ctl("held")).toEqual({ held: 1 });
    expect(await ctl("release", { method: "POST" })).toEqual({ released: 1 });
    expect((await pending).status).toBe(200);
    expect(await ctl("reset", { method: "POST" })).toEqual({ ok: true });
    expect(await ctl("counts")).toMatchObject({ byAction: {}, total: 0 });
    expect(seen.every((s) => !s.url.startsWith("/__capstan/"))).toBe(true);
    const bad = await fetch(`${proxy.url}/__capstan/hold`, { method: "POST", body: "{}" });
    expect(bad.status).toBe(400);
  });
});
