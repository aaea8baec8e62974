import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setBackendForTests } from "@/lib/backends";
import { setConfigForTests } from "@/lib/config";
import type { FleetBackend } from "@/lib/fleet/types";
import { assertSameOrigin, expectedOrigin } from "./origin";
import { configWithAuth } from "@/test/support/auth/config";

// Mutating route handlers require an Origin equal to the app's own. Next.js checks this only for
// server actions and lets a request without Origin through; we refuse it. Every mutating route
// in app/ is called here with a missing, "null" and foreign Origin: 403, and the backend untouched.

const APP = "http://localhost:3000";

function routeFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) routeFiles(p, out);
    else if (/^route\.(ts|tsx)$/.test(name)) out.push(p);
  }
  return out;
}

const mutating = routeFiles(path.resolve("app")).flatMap((file) => {
  const text = readFileSync(file, "utf8");
  return ["POST", "PUT", "PATCH", "DELETE"]
    .filter((m) =>
      new RegExp(`export\\s+(async\\s+function\\s+${m}\\b|const\\s+${m}\\b|\\{[^}]*\\b${m}\\b[^}]*\\})`).test(
        text,
      ),
    )
    .map((method) => ({ file, method }));
});

/** `app/api/pools/[region]/[pool]/capacity/route.ts` → URL and params for a plausible target. */
function target(file: string) {
  const rel = path.relative(path.resolve("app"), path.dirname(file)).split(path.sep);
  const sample: Record<string, string> = { region: "us-east-1", pool: "app" };
  const params: Record<string, string> = {};
  const url = rel
    .map((seg) => {
      const m = /^\[(\w+)\]$/.exec(seg);
      if (!m) return seg;
      params[m[1]!] = sample[m[1]!] ?? "x";
      return params[m[1]!];
    })
    .join("/");
  return { url: `${APP}/${url}`, params };
}

const calls: string[] = [];
const spyBackend = new Proxy({} as FleetBackend, {
  get: (_, prop) =>
    prop === "kind"
      ? "simulated"
      : (...args: unknown[]) => (calls.push(`${String(prop)}(${args.length})`), Promise.resolve(undefined)),
});

beforeAll(() => {
  setConfigForTests(configWithAuth({ mode: "dev" }));
  setBackendForTests(spyBackend);
});
afterAll(() => {
  setBackendForTests(undefined);
  setConfigForTests(undefined);
});

describe("assertSameOrigin", () => {
  const req = (headers: Record<string, string>, url = `${APP}/api/x`) =>
    new Request(url, { method: "POST", headers });

  it.each([
    ["missing", {}],
    ["null", { origin: "null" }],
    ["foreign", { origin: "https://evil.example" }],
    ["a look-alike host", { origin: "http://localhost:3000.evil.example" }],
    ["another scheme", { origin: "https://localhost:3000" }],
    ["another port", { origin: "http://localhost:3001" }],
  ])("refuses a %s Origin with 403", (_, headers) => {
    expect(() => assertSameOrigin(req({ host: "localhost:3000", ...headers }), {})).toThrow(
      expect.objectContaining({ status: 403 }),
    );
  });

  it("accepts the app's own origin, behind a TLS-terminating load balancer too", () => {
    expect(() => assertSameOrigin(req({ host: "localhost:3000", origin: APP }), {})).not.toThrow();
    const behindAlb = req(
      { host: "capstan.example.com", "x-forwarded-proto": "https", origin: "https://capstan.example.com" },
      "http://10.0.3.7:3000/api/x",
    );
    expect(expectedOrigin(behindAlb, {})).toBe("https://capstan.example.com");
    expect(() => assertSameOrigin(behindAlb, {})).not.toThrow();
    expect(() => assertSameOrigin(behindAlb, { CAPSTAN_PUBLIC_ORIGIN: "https://ops.example.com/" })).toThrow(
      expect.objectContaining({ status: 403 }),
    );
  });
});

describe("every mutating route handler refuses cross-site requests", () => {
  it("discovers the mutating routes (the capacity change among them)", () => {
    const found = mutating.map(({ file, method }) => `${method} ${path.relative(process.cwd(), file)}`);
    expect(found).toContain("POST app/api/pools/[region]/[pool]/capacity/route.ts");
  });

  for (const { file, method } of mutating) {
    const rel = path.relative(process.cwd(), file);
    it.each([
      ["missing", undefined],
      ["null", "null"],
      ["foreign", "https://evil.example"],
    ])(`${method} ${rel} with a %s Origin → 403, no backend call`, async (_, origin) => {
      const mod = (await import(/* @vite-ignore */ file)) as Record<
        string,
        (req: Request, ctx: unknown) => Promise<Response>
      >;
      const { url, params } = target(file);
      const headers: Record<string, string> = {
        host: "localhost:3000",
        "content-type": "application/json",
        "idempotency-key": "csrf-test",
      };
      if (origin) headers.origin = origin;
      const body = JSON.stringify({
        name: "mallory",
        role: "admin",
        desired: 0,
        expectedDesired: 12,
        reason: "cross-site attempt",
      });
      calls.length = 0;
      const res = await mod[method]!(new Request(url, { method, headers, body }), {
        params: Promise.resolve(params),
      });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({
        kind: "forbidden",
        error: expect.stringMatching(/^Cross-site request refused/),
      });
      expect(res.headers.get("set-cookie")).toBeNull();
      expect(calls).toEqual([]);
    });
  }
});
