import http from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";

// A stub of the two AWS endpoints the dashboard reads, speaking their real wire protocols
// (Auto Scaling: awsQuery form POST → XML; CloudWatch: AWS JSON 1.0), so the AWS backend and the
// SDK run unchanged and every call is counted at the transport. The benchmark uses it where moto
// is too slow for the number of refreshes simulated (an hour of 15 s refreshes at 100 and 500
// pools); it answers in microseconds and never fails.

export interface StubGroup {
  name: string;
  pool: string;
  min: number;
  max: number;
  desired: number;
}

export interface StubAws {
  url: string;
  /** Requests by `<region> <action>`, and metric queries received, counted by the stub itself. */
  requests: Map<string, number>;
  metricQueries: number;
  reset(): void;
  close(): Promise<void>;
}

const PAGE_MAX = 100;

export async function startStubAws(
  groups: Record<string, StubGroup[]>,
  tagKey = "capstan:pool",
): Promise<StubAws> {
  const requests = new Map<string, number>();
  const state = { metricQueries: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      // SigV4: Credential=<key>/<date>/<region>/<service>/aws4_request
      const region =
        /Credential=[^/]+\/\d+\/([^/]+)\//.exec(String(req.headers.authorization ?? ""))?.[1] ?? "?";
      const target = String(req.headers["x-amz-target"] ?? "");
      const action = target ? target.split(".")[1]! : (new URLSearchParams(body).get("Action") ?? "?");
      requests.set(`${region} ${action}`, (requests.get(`${region} ${action}`) ?? 0) + 1);
      try {
        if (target) {
          const input = JSON.parse(body) as GetMetricDataInput;
          state.metricQueries += input.MetricDataQueries?.length ?? 0;
          send(res, 200, "application/x-amz-json-1.0", JSON.stringify(getMetricData(input)));
        } else {
          send(
            res,
            200,
            "text/xml",
            autoscaling(action, new URLSearchParams(body), groups[region] ?? [], tagKey),
          );
        }
      } catch (err) {
        send(res, 500, "text/plain", String(err));
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get metricQueries() {
      return state.metricQueries;
    },
    reset() {
      requests.clear();
      state.metricQueries = 0;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}

function send(res: http.ServerResponse, status: number, type: string, body: string) {
  res.writeHead(status, { "content-type": type, "x-amzn-requestid": "stub" });
  res.end(body);
}

const NS = "http://autoscaling.amazonaws.com/doc/2011-01-01/";
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function autoscaling(action: string, form: URLSearchParams, groups: StubGroup[], tagKey: string): string {
  const wrap = (inner: string) =>
    `<${action}Response xmlns="${NS}"><${action}Result>${inner}</${action}Result><ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata></${action}Response>`;
  if (action === "DescribePolicies") return wrap("<ScalingPolicies/>");
  if (action === "DescribeScheduledActions") return wrap("<ScheduledUpdateGroupActions/>");
  if (action !== "DescribeAutoScalingGroups") throw new Error(`stub: unsupported action ${action}`);

  const names = [...form.entries()]
    .filter(([k]) => k.startsWith("AutoScalingGroupNames.member."))
    .map(([, v]) => v);
  const byTag = [...form.entries()].some(
    ([k, v]) => /^Filters\.member\.\d+\.Values\.member\.\d+$/.test(k) && v === tagKey,
  );
  const matching = names.length > 0 ? groups.filter((g) => names.includes(g.name)) : byTag ? groups : [];
  const pageSize = Math.min(Number(form.get("MaxRecords") ?? 50), PAGE_MAX);
  const offset = Number(form.get("NextToken") ?? 0);
  const page = matching.slice(offset, offset + pageSize);
  const next = offset + pageSize < matching.length ? `<NextToken>${offset + pageSize}</NextToken>` : "";
  return wrap(
    `<AutoScalingGroups>${page.map((g) => groupXml(g, tagKey)).join("")}</AutoScalingGroups>${next}`,
  );
}

function groupXml(g: StubGroup, tagKey: string): string {
  const instances = Array.from(
    { length: g.desired },
    (_, i) =>
      `<member><InstanceId>i-${g.name}-${i}</InstanceId><InstanceType>m5.large</InstanceType><AvailabilityZone>us-east-1a</AvailabilityZone><LifecycleState>InService</LifecycleState><HealthStatus>Healthy</HealthStatus><ProtectedFromScaleIn>false</ProtectedFromScaleIn></member>`,
  ).join("");
  return (
    `<member><AutoScalingGroupName>${esc(g.name)}</AutoScalingGroupName><MinSize>${g.min}</MinSize><MaxSize>${g.max}</MaxSize>` +
    `<DesiredCapacity>${g.desired}</DesiredCapacity><DefaultCooldown>300</DefaultCooldown><HealthCheckType>EC2</HealthCheckType>` +
    `<CreatedTime>2026-01-01T00:00:00Z</CreatedTime><AvailabilityZones><member>us-east-1a</member></AvailabilityZones>` +
    `<Instances>${instances}</Instances>` +
    `<Tags><member><Key>${esc(tagKey)}</Key><Value>${esc(g.pool)}</Value><ResourceId>${esc(g.name)}</ResourceId><ResourceType>auto-scaling-group</ResourceType><PropagateAtLaunch>false</PropagateAtLaunch></member></Tags>` +
    `</member>`
  );
}

interface GetMetricDataInput {
  StartTime: number;
  EndTime: number;
  MetricDataQueries?: { Id: string; MetricStat?: { Period: number } }[];
}

/** One Complete series per query: a point every period over the asked range, values 20–60. */
function getMetricData(input: GetMetricDataInput) {
  return {
    MetricDataResults: (input.MetricDataQueries ?? []).map((q, n) => {
      const period = q.MetricStat?.Period ?? 60;
      const timestamps: number[] = [];
      const values: number[] = [];
      for (let t = input.StartTime; t < input.EndTime; t += period) {
        timestamps.push(t);
        values.push(20 + ((t / period + n) % 40));
      }
      return { Id: q.Id, Label: q.Id, StatusCode: "Complete", Timestamps: timestamps, Values: values };
    }),
    Messages: [],
  };
}
