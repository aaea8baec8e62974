import { randomUUID } from "node:crypto";
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { exportSPKI, generateKeyPair, SignJWT } from "jose";

// A local stand-in for an AWS Application Load Balancer with OIDC authentication: it serves its
// public keys the way AWS does (PEM at <base>/<region>/<kid>) and forwards every request to the
// app with an `x-amzn-oidc-data` header it signs (ES256). Whatever the client sent under that
// name is dropped, as the real ALB does. `mode` picks the token: a valid one, an expired one, or
// one signed by a key the ALB never published (a forged signer).

export const ALB_ARN =
  "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/capstan-e2e/50dc6c495c0c9188";
export const ALB_ISSUER = "https://idp.e2e.example";
export const ALB_CLIENT = "capstan-e2e";
export type TokenMode = "valid" | "expired" | "foreign" | "none";

export interface AlbStandIn {
  /** http://127.0.0.1:PORT/keys — the app's auth.alb.testKeyBaseUrl. */
  keyBaseUrl: string;
  /** The address browsers use. */
  url: string;
  mode: TokenMode;
  /** The identity the next tokens carry. */
  user: { email: string; groups: string[] };
  keyFetches: string[];
  close(): Promise<void>;
}

async function listen(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** A port nobody listens on right now (for the app server, which must be told its port). */
export async function freePort(): Promise<number> {
  const s = createServer();
  const port = await listen(s);
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function startAlbStandIn(appPort: number): Promise<AlbStandIn> {
  const real = await generateKeyPair("ES256", { extractable: true });
  const forger = await generateKeyPair("ES256", { extractable: true });
  const kid = randomUUID();
  const pem = await exportSPKI(real.publicKey);

  const keyFetches: string[] = [];
  const keys = createServer((req, res) => {
    keyFetches.push(req.url ?? "");
    const ok = req.url === `/keys/us-east-1/${kid}`;
    res.writeHead(ok ? 200 : 404, { "content-type": "text/plain" }).end(ok ? pem : "not found");
  });
  const keyPort = await listen(keys);

  const state: AlbStandIn = {
    keyBaseUrl: `http://127.0.0.1:${keyPort}/keys`,
    url: "",
    mode: "valid",
    user: { email: "ana@example.com", groups: ["ops"] },
    keyFetches,
    close: async () => {
      await Promise.all([keys, proxy].map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };

  async function token(): Promise<string | null> {
    if (state.mode === "none") return null;
    const now = Math.floor(Date.now() / 1000);
    const exp = state.mode === "expired" ? now - 60 : now + 120;
    return new SignJWT({
      sub: "e2e-sub",
      email: state.user.email,
      groups: state.user.groups,
      iss: ALB_ISSUER,
      exp,
    })
      .setProtectedHeader({
        alg: "ES256",
        typ: "JWT",
        kid,
        signer: ALB_ARN,
        iss: ALB_ISSUER,
        client: ALB_CLIENT,
        exp,
      })
      .sign(state.mode === "foreign" ? forger.privateKey : real.privateKey);
  }

  const proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const headers = { ...req.headers };
      delete headers["x-amzn-oidc-data"];
      const t = await token();
      if (t) headers["x-amzn-oidc-data"] = t;
      const upstream = httpRequest(
        { host: "127.0.0.1", port: appPort, method: req.method, path: req.url, headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on("error", (err) => {
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
        res.end(`stand-in ALB: ${err.message}`);
      });
      req.pipe(upstream);
    })();
  });
  const proxyPort = await listen(proxy);
  state.url = `http://localhost:${proxyPort}`;
  return state;
}
