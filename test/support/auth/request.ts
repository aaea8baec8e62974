// Test-only helper: call a route handler (or a server action) as Next.js would for one request,
// so `headers()` and `cookies()` from next/headers answer with that request's own headers and the
// real identity path (lib/auth/current.ts) runs. In the test file:
//
//   vi.mock("next/headers", async () => (await import("./request")).nextHeadersMock);
//   const res = await withRequest(req, () => GET(req, ctx));
//
// The request travels in AsyncLocalStorage, so concurrent calls never see each other's headers.
import { AsyncLocalStorage } from "node:async_hooks";

const current = new AsyncLocalStorage<Request>();

/** Run `fn` with `req` as "the current request" for next/headers. */
export function withRequest<T>(req: Request, fn: () => T): T {
  return current.run(req, fn);
}

function currentRequest(): Request {
  const req = current.getStore();
  if (!req) throw new Error("next/headers was called outside withRequest(): no current request in this test");
  return req;
}

function parseCookies(header: string | null): Map<string, string> {
  const jar = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!jar.has(name)) jar.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
  }
  return jar;
}

/** The read side of next/headers, backed by the current request. */
export const nextHeadersMock = {
  headers: async () => currentRequest().headers,
  cookies: async () => {
    const jar = parseCookies(currentRequest().headers.get("cookie"));
    return {
      get: (name: string) => (jar.has(name) ? { name, value: jar.get(name)! } : undefined),
      getAll: () => [...jar].map(([name, value]) => ({ name, value })),
      has: (name: string) => jar.has(name),
    };
  },
};
