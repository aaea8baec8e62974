import "server-only";
import { ForbiddenError } from "@/lib/errors";

/**
 * Mutating route handlers require an Origin equal to the app's own origin. Next.js checks this
 * for server actions only, and lets a request without Origin through; we do not.
 * The app's origin is the Host the request was sent to (or CAPSTAN_PUBLIC_ORIGIN behind a proxy).
 */
export function assertSameOrigin(req: Request, env: Record<string, string | undefined> = process.env): void {
  const origin = req.headers.get("origin");
  if (!origin || origin === "null")
    throw new ForbiddenError("Cross-site request refused: missing Origin header.");
  const expected = expectedOrigin(req, env);
  if (origin !== expected)
    throw new ForbiddenError(`Cross-site request refused: Origin ${origin} is not ${expected}.`);
}

export function expectedOrigin(req: Request, env: Record<string, string | undefined> = process.env): string {
  if (env.CAPSTAN_PUBLIC_ORIGIN) return env.CAPSTAN_PUBLIC_ORIGIN.replace(/\/$/, "");
  const url = new URL(req.url);
  const host = req.headers.get("host") ?? url.host;
  const proto = req.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() || url.protocol.replace(":", "");
  return `${proto}://${host}`;
}
