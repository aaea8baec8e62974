import "server-only";
import { AlbJwtVerifier } from "aws-jwt-verify";
import { AlbJwksCache } from "aws-jwt-verify/alb-cache";
import { NonRetryableFetchError } from "aws-jwt-verify/error";
import type { Fetcher } from "aws-jwt-verify/https";
import { decomposeUnverifiedJwt } from "aws-jwt-verify/jwt";
import { identityFromAlbClaims, type AlbConfig } from "./alb-identity";
import { albKeyBaseUrl } from "@/lib/config/alb-keys";
import { KidLimiter } from "./alb-kid-limiter";
import { escapeForLog, logSafe } from "./log-safe";
import type { Identity } from "./roles";

// Verification of the `x-amzn-oidc-data` header an ALB with OIDC authentication adds to every
// request. aws-jwt-verify does the cryptography (ES256, key download and caching, payload
// `exp`, padded base64url). What it leaves to the application, done here:
//  - `signer` is checked BEFORE any key is fetched (the library checks it after the download,
//    so a forged token could otherwise make us fetch keys on an attacker's behalf);
//  - `exp` in the JWT *header* (ALB puts it there; the library only reads the payload's);
//  - `alg` must be ES256 and `kid` a UUID up front, and the key URL's region always comes from
//    the configured ARN — one verifier per ALB, whose key URL is fixed when it is created.

export const ALB_HEADER = "x-amzn-oidc-data";
export { albKeyBaseUrl, albKeyUrl, parseAlbArn } from "@/lib/config/alb-keys";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** ALB user-claims tokens are small; refuse to parse anything absurd. */
const MAX_TOKEN_CHARS = 16 * 1024;

/** Plain fetch: works for the https key hosts and the http test server; no redirects; small. */
const keyFetcher: Fetcher = {
  async fetch(uri: string): Promise<ArrayBuffer> {
    const res = await fetch(uri, { redirect: "error", cache: "no-store", signal: AbortSignal.timeout(3000) });
    if (res.status !== 200)
      throw new NonRetryableFetchError(uri, `Status code is ${res.status}, expected 200`);
    const body = await res.arrayBuffer();
    if (body.byteLength > 8192) throw new NonRetryableFetchError(uri, "public key response too large");
    return body;
  },
};

type Verifier = { verify(jwt: string): Promise<Record<string, unknown>> };
const holder = globalThis as unknown as {
  __capstanAlbVerifiers?: Map<string, Verifier>;
  __capstanAlbKids?: KidLimiter;
};

/** Key ids seen verified, and a budget for new ones: forged kids cannot cause a storm of key fetches. */
export function albKidLimiter(): KidLimiter {
  return (holder.__capstanAlbKids ??= new KidLimiter());
}

/** One verifier (and key cache) per ALB, kept for the life of the process. */
export function verifierFor(arn: string, alb: AlbConfig): Verifier {
  const jwksUri = albKeyBaseUrl(arn, alb.testKeyBaseUrl);
  const key = JSON.stringify([arn, jwksUri, alb.issuer, alb.clientId]);
  holder.__capstanAlbVerifiers ??= new Map();
  let v = holder.__capstanAlbVerifiers.get(key);
  if (!v) {
    v = AlbJwtVerifier.create(
      { albArn: arn, jwksUri, issuer: alb.issuer, clientId: alb.clientId },
      { jwksCache: new AlbJwksCache({ fetcher: keyFetcher }) },
    ) as unknown as Verifier;
    holder.__capstanAlbVerifiers.set(key, v);
  }
  return v;
}

export type AlbVerification =
  | { ok: true; header: Record<string, unknown>; payload: Record<string, unknown> }
  | { ok: false; reason: string };

export async function verifyAlbToken(
  token: string,
  alb: AlbConfig,
  nowMs = Date.now(),
): Promise<AlbVerification> {
  if (token.length > MAX_TOKEN_CHARS) return { ok: false, reason: "token too long" };
  let header: Record<string, unknown>;
  try {
    header = decomposeUnverifiedJwt(token).header as Record<string, unknown>;
  } catch (e) {
    return { ok: false, reason: `malformed token (${escapeForLog((e as Error).message)})` };
  }
  if (header.alg !== "ES256") return { ok: false, reason: `alg ${logSafe(header.alg)} is not ES256` };
  const signer = header.signer;
  if (typeof signer !== "string" || !alb.arns.includes(signer)) {
    return { ok: false, reason: `signer ${logSafe(signer)} is not a configured ALB` };
  }
  if (typeof header.kid !== "string" || !UUID_RE.test(header.kid))
    return { ok: false, reason: "kid is not a UUID" };
  if (typeof header.exp !== "number" || !Number.isFinite(header.exp))
    return { ok: false, reason: "no exp in header" };
  if (header.exp * 1000 <= nowMs)
    return { ok: false, reason: `expired at ${new Date(header.exp * 1000).toISOString()}` };
  if (header.iss !== alb.issuer)
    return { ok: false, reason: `issuer ${logSafe(header.iss)} is not ${alb.issuer}` };
  if (header.client !== alb.clientId)
    return { ok: false, reason: `client ${logSafe(header.client)} is not ${alb.clientId}` };
  const kids = albKidLimiter();
  const kidKey = `${signer} ${header.kid}`;
  if (!kids.mayFetch(kidKey, nowMs))
    return { ok: false, reason: "too many unknown key ids: not fetching another key this minute" };
  try {
    const payload = await verifierFor(signer, alb).verify(token);
    kids.verified(kidKey);
    return { ok: true, header, payload };
  } catch (e) {
    return { ok: false, reason: escapeForLog((e as Error).message) };
  }
}

/** The request's ALB identity, or null (missing or invalid header: signed out, 401). */
export async function identityFromAlbHeader(value: string | null, alb: AlbConfig): Promise<Identity | null> {
  if (!value) return null;
  const v = await verifyAlbToken(value.trim(), alb);
  if (!v.ok) {
    console.warn(`capstan: ${ALB_HEADER} rejected: ${v.reason}`);
    return null;
  }
  return identityFromAlbClaims(v.payload, alb);
}
