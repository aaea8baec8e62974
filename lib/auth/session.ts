import "server-only";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { ensurePrivateDir } from "@/lib/store/private-files";
import path from "node:path";
import { jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { dataDir, getConfig } from "@/lib/config";
import { getStore, type DocumentStore } from "@/lib/store";
import { ROLES, type AuthorizedIdentity, type Identity } from "./roles";

export const SESSION_COOKIE = "capstan_session";

const claims = z.object({
  sub: z.string().min(1),
  role: z.enum(ROLES as [string, ...string[]]),
  // Only dev sign-in opens browser sessions: ALB sign-in is verified on every request instead.
  src: z.literal("dev"),
  scope: z
    .object({ regions: z.array(z.string()).optional(), pools: z.array(z.string()).optional() })
    .optional(),
});

const holder = globalThis as unknown as { __capstanSessionKey?: Uint8Array };

/**
 * The signing key: CAPSTAN_SESSION_SECRET (required outside dev sign-in and at least
 * 32 characters long whenever set; checked at start-up by lib/config/safety.ts), else a random
 * key kept where the store keeps things — in the shared database, so a cookie one replica signed
 * is honoured by the others, or in the data directory — so a restart does not sign anyone out.
 */
export async function sessionKey(env: Record<string, string | undefined> = process.env): Promise<Uint8Array> {
  holder.__capstanSessionKey ??= new TextEncoder().encode(await loadSessionSecret(env, getStore().documents));
  return holder.__capstanSessionKey;
}

/** The secret itself, uncached: the environment's, the shared database's, or the data directory's. */
export async function loadSessionSecret(
  env: Record<string, string | undefined>,
  shared: DocumentStore | null,
): Promise<string> {
  if (env.CAPSTAN_SESSION_SECRET) return env.CAPSTAN_SESSION_SECRET;
  if (shared) {
    return shared.update<string, string>("session-key", (current) => {
      if (current) return { result: current };
      const made = randomBytes(32).toString("base64url");
      return { next: made, result: made };
    });
  }
  const file = path.join(dataDir(env), "session-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const made = randomBytes(32).toString("base64url");
  ensurePrivateDir(path.dirname(file));
  writeFileSync(file, made, { mode: 0o600 });
  return made;
}

export async function createSessionToken(
  identity: AuthorizedIdentity,
  hours = getConfig().auth.sessionHours,
): Promise<string> {
  if (identity.source !== "dev") throw new Error("only dev sign-in opens browser sessions");
  return new SignJWT({ role: identity.role, src: identity.source, scope: identity.scope })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(identity.name)
    .setIssuedAt()
    .setExpirationTime(`${Math.round(hours * 3600)}s`)
    .sign(await sessionKey());
}

/** A tampered, expired or malformed cookie is simply "signed out". */
export async function readSessionToken(token: string | undefined): Promise<Identity | null> {
  if (!token) return null;
  try {
    const { payload } = await jwtVerify(token, await sessionKey(), { algorithms: ["HS256"] });
    const c = claims.parse(payload);
    return { name: c.sub, role: c.role as NonNullable<Identity["role"]>, source: c.src, scope: c.scope };
  } catch {
    return null;
  }
}

/** Secure everywhere except plain-http localhost, where browsers would drop a Secure cookie. */
export function cookieOptions(requestUrl: string, hours = getConfig().auth.sessionHours) {
  const url = new URL(requestUrl);
  const local = url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  return {
    httpOnly: true,
    sameSite: "lax" as const,
    secure: !local,
    path: "/",
    maxAge: Math.round(hours * 3600),
  };
}
