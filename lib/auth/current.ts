import { cookies, headers } from "next/headers";
import { getConfig } from "@/lib/config";
import type { Identity } from "./roles";
import { readSessionToken, SESSION_COOKIE } from "./session";
import { identityFromBearer } from "./tokens";

/**
 * Who is asking, from the request: an API token first, then the signed session cookie.
 * Returns null for "signed out"; callers pass the result to `authorize`, which throws 401.
 */
export async function currentIdentity(): Promise<Identity | null> {
  const cfg = getConfig();
  const h = await headers();
  const auth = h.get("authorization");
  if (auth) return identityFromBearer(auth, cfg); // a bad token never falls back to a cookie
  if (cfg.auth.mode === "tokens") return null;
  const jar = await cookies();
  return readSessionToken(jar.get(SESSION_COOKIE)?.value);
}
