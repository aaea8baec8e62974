import "server-only";
import { cookies, headers } from "next/headers";
import { getConfig, type FleetConfig } from "@/lib/config";
import { ALB_HEADER, identityFromAlbHeader } from "./alb";
import type { Identity } from "./roles";
import { readSessionToken, SESSION_COOKIE } from "./session";
import { identityFromBearer } from "./tokens";

/**
 * Who is asking, from the request's headers and session cookie, per `auth.mode`:
 *  - any mode: `Authorization: Bearer <token>` decides alone (a bad token never falls back);
 *  - dev: the signed session cookie from the sign-in page;
 *  - alb: the verified `x-amzn-oidc-data` header, on every request (no cookie is read);
 *  - tokens: nothing else.
 * null = signed out (authorize → 401). An Identity with `role: null` = known person whom no
 * group grants a role (authorize → 403).
 */
export async function identityFromRequest(
  h: { get(name: string): string | null },
  sessionCookie: string | undefined,
  cfg: FleetConfig,
): Promise<Identity | null> {
  const auth = h.get("authorization");
  if (auth) return identityFromBearer(auth, cfg);
  switch (cfg.auth.mode) {
    case "tokens":
      return null;
    case "alb":
      return cfg.auth.alb ? identityFromAlbHeader(h.get(ALB_HEADER), cfg.auth.alb) : null;
    case "dev": {
      const id = await readSessionToken(sessionCookie);
      return id?.source === "dev" ? id : null;
    }
  }
}

/** `identityFromRequest` for the current request (server components, actions, route handlers). */
export async function currentIdentity(): Promise<Identity | null> {
  const cfg = getConfig();
  const h = await headers();
  const jar = cfg.auth.mode === "dev" ? await cookies() : undefined;
  return identityFromRequest(h, jar?.get(SESSION_COOKIE)?.value, cfg);
}
