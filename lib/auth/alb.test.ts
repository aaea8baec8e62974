import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { exportSPKI, generateKeyPair, SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ForbiddenError, UnauthenticatedError } from "@/lib/errors";
import { identityFromAlbHeader, verifyAlbToken } from "./alb";
import type { AlbConfig } from "./alb-identity";
import { albKeyBaseUrl, albKeyUrl } from "@/lib/config/alb-keys";
import { identityFromRequest } from "./current";
import { authorize } from "./roles";
import { configWithAuth } from "@/test/support/auth/config";

// ALB user-claims tokens signed here with locally generated ES256 keys; the public keys are
// served as PEM (as AWS does) by a local server at <base>/<region>/<kid> via testKeyBaseUrl.

const EAST = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/capstan/50dc6c495c0c9188";
const WEST =
  "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/capstan-dr/6f1a2b3c4d5e6f70";
const ISSUER = "https://idp.example.com";
const CLIENT = "capstan-client";

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
let server: Server;
let origin: string;
let base: string;
const served = new Map<string, string>(); // "/us-east-1/<kid>" → PEM, under any first path segment
const requests: string[] = [];
let keyA: KeyPair;
let keyB: KeyPair;
const kidA = randomUUID();
const kidWestOnly = randomUUID();

beforeAll(async () => {
  keyA = await generateKeyPair("ES256", { extractable: true });
  keyB = await generateKeyPair("ES256", { extractable: true });
  served.set(`/us-east-1/${kidA}`, await exportSPKI(keyA.publicKey));
  served.set(`/us-west-2/${kidWestOnly}`, await exportSPKI(keyB.publicKey));
  server = createServer((req, res) => {
    requests.push(req.url ?? "");
    const pem = served.get((req.url ?? "").replace(/^\/[^/]+/, ""));
    res.writeHead(pem ? 200 : 404, { "content-type": "text/plain" }).end(pem ?? "not found");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  base = `${origin}/keys`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
afterEach(() => {
  requests.length = 0;
  vi.restoreAllMocks();
});

function alb(over: Partial<AlbConfig> = {}): AlbConfig {
  return {
    arns: [EAST],
    nameClaim: "email",
    groupsClaim: "groups",
    roles: {
      "ops-admins": "admin",
      ops: "operator",
      "ops-workers": { role: "operator", pools: ["worker-*"] },
      staff: "viewer",
    },
    issuer: ISSUER,
    clientId: CLIENT,
    testKeyBaseUrl: base,
    ...over,
  };
}

const now = () => Math.floor(Date.now() / 1000);

async function sign(
  opts: {
    key?: KeyPair;
    kid?: string;
    signer?: string;
    exp?: number;
    payloadExp?: number;
    header?: object;
    claims?: object;
  } = {},
) {
  const exp = opts.exp ?? now() + 120;
  return new SignJWT({
    sub: "0b2f",
    email: "ana@example.com",
    groups: ["ops"],
    iss: ISSUER,
    exp: opts.payloadExp ?? exp,
    ...opts.claims,
  })
    .setProtectedHeader({
      alg: "ES256",
      kid: opts.kid ?? kidA,
      signer: opts.signer ?? EAST,
      iss: ISSUER,
      client: CLIENT,
      exp,
      typ: "JWT",
      ...opts.header,
    })
    .sign((opts.key ?? keyA).privateKey);
}

/** ALB pads each base64url part with "=": build such a token (same header, payload, key). */
async function signPadded(claims: object) {
  const b64 = (s: string | Uint8Array) =>
    Buffer.from(s).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
  const exp = now() + 120;
  const header = { alg: "ES256", kid: kidA, signer: EAST, iss: ISSUER, client: CLIENT, exp, typ: "JWT" };
  // Pad the JSON so both parts end in "=" (length not a multiple of 3).
  const fit = (o: object) => {
    let s = JSON.stringify(o);
    while (s.length % 3 === 0) s = JSON.stringify({ ...o, pad: "x".repeat((s.length % 7) + 1) });
    return s;
  };
  const input = `${b64(fit(header))}.${b64(fit({ sub: "0b2f", email: "pat@example.com", iss: ISSUER, exp, ...claims }))}`;
  const sig = new Uint8Array(
    await crypto.subtle.sign(
      { name: "ECDSA", hash: "SHA-256" },
      keyA.privateKey,
      new TextEncoder().encode(input),
    ),
  );
  return `${input}.${b64(sig)}`;
}

describe("ALB x-amzn-oidc-data verification", () => {
  it("accepts a valid token and maps name and groups to an identity", async () => {
    const id = await identityFromAlbHeader(await sign(), alb());
    expect(id).toEqual({ name: "ana@example.com", role: "operator", source: "alb" });
    expect(requests).toEqual([`/keys/us-east-1/${kidA}`]);
  });

  it("accepts padded base64url, as the ALB sends it", async () => {
    const token = await signPadded({ groups: ["ops-admins"] });
    for (const part of token.split(".")) expect(part).toMatch(/=$/);
    const v = await verifyAlbToken(token, alb());
    expect(v).toMatchObject({ ok: true, payload: { email: "pat@example.com", groups: ["ops-admins"] } });
  });

  it("rejects a token from an ALB that is not configured, before fetching any key", async () => {
    const v = await verifyAlbToken(await sign({ signer: WEST }), alb());
    expect(v).toEqual({ ok: false, reason: `signer "${WEST}" is not a configured ALB` });
    expect(requests).toEqual([]);
  });

  it("rejects a kid that is not a UUID, before fetching any key", async () => {
    const v = await verifyAlbToken(await sign({ kid: "../../evil" }), alb());
    expect(v).toEqual({ ok: false, reason: "kid is not a UUID" });
    expect(requests).toEqual([]);
  });

  it("rejects a bad signature (signed by another key under the served kid)", async () => {
    const v = await verifyAlbToken(await sign({ key: keyB }), alb());
    expect(v).toEqual({ ok: false, reason: "Invalid signature" });
  });

  it("rejects an expired token, by the exp in the JWT header", async () => {
    expect(await verifyAlbToken(await sign({ exp: now() - 5 }), alb())).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^expired at /),
    });
    // Header expired even though the payload claims otherwise.
    expect(
      await verifyAlbToken(await sign({ exp: now() - 5, payloadExp: now() + 600 }), alb()),
    ).toMatchObject({ ok: false });
    // Payload expired (checked by the library) even though the header is fresh.
    expect(await verifyAlbToken(await sign({ payloadExp: now() - 5 }), alb())).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/expired/i),
    });
  });

  it("rejects a tampered payload", async () => {
    const [h, , s] = (await sign()).split(".");
    const forged = Buffer.from(
      JSON.stringify({
        sub: "0b2f",
        email: "ana@example.com",
        groups: ["ops-admins"],
        iss: ISSUER,
        exp: now() + 120,
      }),
    ).toString("base64url");
    expect(await verifyAlbToken(`${h}.${forged}.${s}`, alb())).toEqual({
      ok: false,
      reason: "Invalid signature",
    });
  });

  it("fetches keys only from the configured ARN's region, never another", async () => {
    // The signing key exists only under us-west-2; the configured ALB is in us-east-1.
    const v = await verifyAlbToken(await sign({ key: keyB, kid: kidWestOnly }), alb());
    expect(v.ok).toBe(false);
    expect(requests).toEqual([`/keys/us-east-1/${kidWestOnly}`]);
  });

  it("rejects other algorithms and a wrong OIDC client before fetching keys or by the library", async () => {
    const hs256 = Buffer.from(
      JSON.stringify({ alg: "HS256", kid: kidA, signer: EAST, exp: now() + 60 }),
    ).toString("base64url");
    const token = (await sign()).replace(/^[^.]+/, hs256);
    expect(await verifyAlbToken(token, alb())).toEqual({ ok: false, reason: 'alg "HS256" is not ES256' });
    expect(requests).toEqual([]);
    expect(await verifyAlbToken(await sign({ header: { client: "someone-else" } }), alb())).toEqual({
      ok: false,
      reason: `client "someone-else" is not ${CLIENT}`,
    });
    expect(await verifyAlbToken(await sign({ header: { iss: "https://other-idp.example" } }), alb())).toEqual(
      {
        ok: false,
        reason: `issuer "https://other-idp.example" is not ${ISSUER}`,
      },
    );
    expect(requests).toEqual([]);
  });

  it("never logs an unverified header's values raw (no forged log lines, no terminal escapes)", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const evil = "x\ncapstan: admin signed in\u001b[31m\u202e";
    await identityFromAlbHeader(await sign({ signer: evil }), alb());
    await identityFromAlbHeader(await sign({ header: { client: evil } }), alb());
    await identityFromAlbHeader(
      `${Buffer.from(JSON.stringify({ alg: evil })).toString("base64url")}.e30.x`,
      alb(),
    );
    expect(warn).toHaveBeenCalledTimes(3);
    for (const [line] of warn.mock.calls) {
      expect(String(line)).not.toMatch(/[\u0000-\u001f\u202e]/);
      expect(String(line)).toContain("\\u000a");
    }
  });

  it("tries at most a handful of unknown kids a minute, so forged kids cannot cause a storm of key fetches", async () => {
    const { KidLimiter } = await import("./alb-kid-limiter");
    const limiter = new KidLimiter(3);
    const t = 1_000_000;
    expect([1, 2, 3, 4, 5].map((i) => limiter.mayFetch(`kid-${i}`, t))).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    limiter.verified("kid-1");
    expect(limiter.mayFetch("kid-1", t + 1)).toBe(true); // a known kid is never limited
    expect(limiter.mayFetch("kid-6", t + 60_000)).toBe(true); // the next minute
  });

  it("a burst of tokens with random kids causes a bounded number of key fetches, and real users still get in", async () => {
    const cfg = alb({ testKeyBaseUrl: `${origin}/storm` });
    expect((await verifyAlbToken(await sign(), cfg)).ok).toBe(true);
    requests.length = 0;
    for (let i = 0; i < 40; i++)
      expect((await verifyAlbToken(await sign({ kid: randomUUID() }), cfg)).ok).toBe(false);
    expect(requests.length).toBeLessThanOrEqual(10);
    expect((await verifyAlbToken(await sign(), cfg)).ok).toBe(true);
  });

  it("caches keys: one fetch per ALB and kid", async () => {
    const cfg = alb({ testKeyBaseUrl: `${origin}/fresh` }); // a verifier of its own, cache empty
    for (let i = 0; i < 3; i++) expect((await verifyAlbToken(await sign(), cfg)).ok).toBe(true);
    expect(requests).toEqual([`/fresh/us-east-1/${kidA}`]);
  });

  it("in production, fetches https://public-keys.auth.elb.<configured region>.amazonaws.com/<kid>", async () => {
    const urls: string[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input) => {
      urls.push(String(input));
      return new Response("no", { status: 404 });
    });
    const v = await verifyAlbToken(await sign(), alb({ testKeyBaseUrl: undefined }));
    expect(v.ok).toBe(false);
    expect(urls).toEqual([`https://public-keys.auth.elb.us-east-1.amazonaws.com/${kidA}`]);
  });
});

describe("the ALB public key URL rule", () => {
  it("takes the region from the configured ARN", () => {
    const kid = "6f1a2b3c-4d5e-4f70-8a9b-0c1d2e3f4a5b";
    expect(albKeyUrl(WEST, kid)).toBe(`https://public-keys.auth.elb.us-west-2.amazonaws.com/${kid}`);
    expect(
      albKeyUrl("arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/app/x/1", kid),
    ).toBe(`https://public-keys.auth.elb.eu-central-1.amazonaws.com/${kid}`);
    expect(
      albKeyBaseUrl("arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:loadbalancer/app/x/1"),
    ).toBe("https://s3-us-gov-west-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-west-1");
    expect(albKeyUrl(EAST, kid, "http://127.0.0.1:9/keys/")).toBe(`http://127.0.0.1:9/keys/us-east-1/${kid}`);
  });

  it("refuses what it cannot place", () => {
    expect(() =>
      albKeyBaseUrl("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/nlb/1"),
    ).toThrow(/not an Application Load Balancer ARN/);
    expect(() =>
      albKeyBaseUrl("arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:loadbalancer/app/x/1"),
    ).toThrow(/aws-cn partition/);
  });
});

describe("ALB identity in requests", () => {
  const cfg = () => configWithAuth({ mode: "alb", alb: alb() });
  const headers = (h: Record<string, string>) => new Headers(h);

  it("no header or an invalid one is signed out (401); a verified person with no role is 403", async () => {
    expect(() => authorize(null, "fleet:read")).toThrow(UnauthenticatedError);
    const missing = await identityFromRequest(headers({}), undefined, cfg());
    expect(missing).toBeNull();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(
      await identityFromRequest(headers({ "x-amzn-oidc-data": "garbage" }), undefined, cfg()),
    ).toBeNull();
    expect(warn).toHaveBeenCalledOnce();

    const nobody = await identityFromRequest(
      headers({ "x-amzn-oidc-data": await sign({ claims: { groups: ["contractors"] } }) }),
      undefined,
      cfg(),
    );
    expect(nobody).toEqual({ name: "ana@example.com", role: null, source: "alb" });
    expect(() => authorize(nobody, "fleet:read")).toThrow(ForbiddenError);
    expect(() => authorize(nobody, "audit:read")).toThrow("none of their groups grants a Capstan role");
  });

  it("maps groups to the highest role, keeping a scoped grant's limits", async () => {
    const id = (groups: unknown) =>
      sign({ claims: { groups } }).then((t) =>
        identityFromRequest(headers({ "x-amzn-oidc-data": t }), undefined, cfg()),
      );
    expect((await id(["staff", "ops-admins"]))?.role).toBe("admin");
    expect((await id("staff, ops"))?.role).toBe("operator");

    const worker = await id(["ops-workers", "staff"]);
    expect(worker).toMatchObject({ role: "operator", scope: { pools: ["worker-*"] } });
    expect(authorize(worker, "capacity:change", { region: "us-east-1", pool: "worker-email" }).name).toBe(
      "ana@example.com",
    );
    expect(() => authorize(worker, "capacity:change", { region: "us-east-1", pool: "app" })).toThrow(
      ForbiddenError,
    );
    // staff: viewer everywhere. The role returned (and audited) is the one the grant used here.
    expect(authorize(worker, "fleet:read", { pool: "app" }).role).toBe("viewer");
    expect(authorize(worker, "capacity:change", { region: "us-east-1", pool: "worker-email" }).role).toBe(
      "operator",
    );
  });

  it("ignores a session cookie and falls back to nothing in alb mode", async () => {
    expect(
      await identityFromRequest(headers({ cookie: "x" }), "forged-or-real-dev-cookie", cfg()),
    ).toBeNull();
  });
});
