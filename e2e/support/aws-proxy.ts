import http from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";

// A counting HTTP proxy in front of the AWS emulator (moto), for the replica tests and the
// benchmark: every request is forwarded unchanged (method, path, headers, body) and counted by
// AWS API action and region, so a test can say "exactly one SetDesiredCapacity reached AWS" or
// "two replicas caused one describe per region per refresh" whatever process made the call.
//
// Where the action is on the wire, per protocol of the pinned SDK:
//  - awsQuery (Auto Scaling, EC2): form body `Action=DescribeAutoScalingGroups&...`;
//  - AWS JSON 1.0 / 1.1 (CloudWatch since 3.949, ELBv2 no): header `X-Amz-Target:
//    GraniteServiceVersion20100801.GetMetricData`;
//  - Smithy RPC v2 CBOR (`Smithy-Protocol: rpc-v2-cbor`, not used by the pinned CloudWatch but
//    cheap to recognise): path `/service/<Service>/operation/<Action>`.
// The region comes from the SigV4 credential scope in `Authorization`.
//
// Control endpoints live under /__capstan/ (a prefix no AWS protocol uses):
//   GET  /__capstan/counts   → {byAction, byRegion, total, held}
//   POST /__capstan/reset    → zero the counts (held requests stay held)
//   POST /__capstan/hold     {"action": "SetDesiredCapacity"} → later requests with that action
//                            are counted but not forwarded
//   POST /__capstan/release  → forward every held request (even if its client has gone away, as
//                            AWS would have received it), stop holding; answers {released: n}
//                            once the emulator has answered them all
//   GET  /__capstan/held     → {held: n}

export const CONTROL_PREFIX = "/__capstan/";

export interface AwsCall {
  action: string;
  /** From the SigV4 credential scope; "unknown" when unsigned. */
  region: string;
  /** epoch ms at arrival */
  at: number;
}

export interface AwsCounts {
  byAction: Record<string, number>;
  /** region → action → count */
  byRegion: Record<string, Record<string, number>>;
  total: number;
  held: number;
}

export interface AwsProxy {
  url: string;
  port: number;
  /** Counts since the start or the last reset. */
  counts(): AwsCounts;
  /** Every call since the start or the last reset, oldest first (for time-window counts). */
  calls(): AwsCall[];
  reset(): void;
  /** Hold (do not forward) later requests with this action until release(). */
  hold(action: string): void;
  /** Forward every held request and stop holding; resolves when the emulator has answered them. */
  release(): Promise<number>;
  held(): number;
  stop(): Promise<void>;
}

interface Held {
  req: http.IncomingMessage;
  body: Buffer;
  res: http.ServerResponse;
}

/** The AWS action of a request, per protocol (see the header comment); "unknown" if none. */
export function actionOf(
  method: string,
  url: string,
  headers: http.IncomingHttpHeaders,
  body: Buffer,
): string {
  const target = headers["x-amz-target"];
  if (typeof target === "string" && target) return target.slice(target.lastIndexOf(".") + 1);
  const path = new URL(url, "http://proxy");
  const rpc = /^\/service\/[^/]+\/operation\/([^/?]+)/.exec(path.pathname);
  if (rpc) return decodeURIComponent(rpc[1]!);
  const type = String(headers["content-type"] ?? "");
  if (method === "POST" && type.includes("application/x-www-form-urlencoded")) {
    const action = new URLSearchParams(body.toString("utf8")).get("Action");
    if (action) return action;
  }
  return path.searchParams.get("Action") ?? "unknown";
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20261202/us-east-1/autoscaling/aws4_request, …` → us-east-1. */
export function regionOf(headers: http.IncomingHttpHeaders): string {
  const auth = String(headers.authorization ?? "");
  return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(auth)?.[1] ?? "unknown";
}

export async function startAwsProxy(targetUrl: string, options: { port?: number } = {}): Promise<AwsProxy> {
  const target = new URL(targetUrl);
  let calls: AwsCall[] = [];
  const holding = new Set<string>();
  let held: Held[] = [];

  const counts = (): AwsCounts => {
    const byAction: Record<string, number> = {};
    const byRegion: Record<string, Record<string, number>> = {};
    for (const c of calls) {
      byAction[c.action] = (byAction[c.action] ?? 0) + 1;
      const r = (byRegion[c.region] ??= {});
      r[c.action] = (r[c.action] ?? 0) + 1;
    }
    return { byAction, byRegion, total: calls.length, held: held.length };
  };

  /** Sends one request to the emulator; the reply goes back to the client if it is still there. */
  const forward = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) =>
    new Promise<void>((resolve) => {
      const upstream = http.request(
        {
          protocol: target.protocol,
          hostname: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (up) => {
          const chunks: Buffer[] = [];
          up.on("data", (c: Buffer) => chunks.push(c));
          up.on("end", () => {
            if (!res.destroyed && !res.headersSent) {
              res.writeHead(up.statusCode ?? 502, up.headers);
              res.end(Buffer.concat(chunks));
            }
            resolve();
          });
          up.on("error", () => resolve());
        },
      );
      upstream.on("error", (err) => {
        if (!res.destroyed && !res.headersSent) {
          res.writeHead(502, { "content-type": "text/plain" });
          res.end(`aws-proxy: ${err.message}`);
        }
        resolve();
      });
      upstream.end(body);
    });

  const release = async (): Promise<number> => {
    holding.clear();
    const batch = held;
    held = [];
    await Promise.all(batch.map((h) => forward(h.req, h.body, h.res)));
    return batch.length;
  };

  const control = async (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) => {
    const json = (status: number, data: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(data));
    };
    const what = `${req.method} ${new URL(req.url ?? "/", "http://proxy").pathname.slice(CONTROL_PREFIX.length)}`;
    switch (what) {
      case "GET counts":
        return json(200, counts());
      case "GET held":
        return json(200, { held: held.length });
      case "POST reset":
        calls = [];
        return json(200, { ok: true });
      case "POST hold": {
        let action: unknown;
        try {
          action = (JSON.parse(body.toString("utf8") || "{}") as { action?: unknown }).action;
        } catch {
          action = undefined;
        }
        if (typeof action !== "string" || !action)
          return json(400, { error: 'expected {"action": "<AWS action>"}' });
        holding.add(action);
        return json(200, { holding: [...holding] });
      }
      case "POST release":
        return json(200, { released: await release() });
      default:
        return json(404, { error: `unknown control endpoint ${what}` });
    }
  };

  const server = http.createServer((req, res) => {
    // A client that went away (a killed replica) must not take the proxy down with it.
    res.on("error", () => undefined);
    req.on("error", () => undefined);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const url = req.url ?? "/";
      if (url.startsWith(CONTROL_PREFIX)) {
        void control(req, body, res);
        return;
      }
      const action = actionOf(req.method ?? "GET", url, req.headers, body);
      calls.push({ action, region: regionOf(req.headers), at: Date.now() });
      if (holding.has(action)) {
        held.push({ req, body, res });
        return;
      }
      void forward(req, body, res);
    });
  });
  // Held requests keep their sockets open for as long as a test wants: no server-side timeouts.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.listen(options.port ?? 0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    counts,
    calls: () => [...calls],
    reset: () => {
      calls = [];
    },
    hold: (action) => void holding.add(action),
    release,
    held: () => held.length,
    async stop() {
      holding.clear();
      for (const h of held) h.res.destroy();
      held = [];
      const closed = once(server, "close");
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
