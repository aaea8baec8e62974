import { NextRequest } from "next/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { config, contentSecurityPolicy, proxy } from "@/proxy";

// proxy.ts (Next 16's middleware): security headers on every response it matches, a fresh
// CSP nonce per request handed to Next's renderer through the request headers.

afterEach(() => vi.unstubAllEnvs());

const nonceOf = (csp: string | null) => /'nonce-([A-Za-z0-9+/]+={0,2})'/.exec(csp ?? "")?.[1];

describe("proxy security headers", () => {
  for (const path of ["/", "/pools/us-east-1/app", "/audit", "/standby", "/login", "/api/fleet"]) {
    it(`sets every header on ${path}`, () => {
      const res = proxy(new NextRequest(`http://localhost:3000${path}`));
      const csp = res.headers.get("content-security-policy");
      const nonce = nonceOf(csp);
      expect(nonce).toMatch(/^[A-Za-z0-9+/]{24}$/);
      expect(csp).toBe(
        `default-src 'self'; script-src 'self' 'nonce-${nonce}' 'strict-dynamic'; style-src 'self' 'nonce-${nonce}'; style-src-attr 'unsafe-inline'; ` +
          "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
          "form-action 'self'; frame-ancestors 'none'",
      );
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("cross-origin-opener-policy")).toBe("same-origin");
      expect(res.headers.get("strict-transport-security")).toBeNull(); // plain http
      expect(res.headers.get("x-powered-by")).toBeNull();
      // Next renders with the request's CSP header to stamp its own scripts with the nonce.
      expect(res.headers.get("x-middleware-request-content-security-policy")).toBe(csp);
      expect(res.headers.get("x-middleware-request-x-nonce")).toBe(nonce);
      expect(res.headers.get("x-middleware-next")).toBe("1"); // passes through: authorization happens in handlers
    });
  }

  it("issues a fresh nonce for every request", () => {
    const nonces = new Set(
      Array.from({ length: 50 }, () =>
        nonceOf(proxy(new NextRequest("http://localhost:3000/")).headers.get("content-security-policy")),
      ),
    );
    expect(nonces.size).toBe(50);
  });

  it("overrides a nonce or CSP a client sends", () => {
    const req = new NextRequest("http://localhost:3000/", {
      headers: { "x-nonce": "attacker", "content-security-policy": "script-src 'nonce-attacker'" },
    });
    const res = proxy(req);
    expect(res.headers.get("x-middleware-request-x-nonce")).not.toBe("attacker");
    expect(res.headers.get("x-middleware-request-content-security-policy")).not.toContain("attacker");
  });

  it("adds HSTS and upgrade-insecure-requests over https, directly or behind the load balancer", () => {
    for (const req of [
      new NextRequest("https://capstan.example.com/"),
      new NextRequest("http://10.0.3.7:3000/", { headers: { "x-forwarded-proto": "https" } }),
    ]) {
      const res = proxy(req);
      expect(res.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
      expect(res.headers.get("content-security-policy")).toMatch(/; upgrade-insecure-requests$/);
    }
    expect(
      proxy(
        new NextRequest("http://10.0.3.7:3000/", { headers: { "x-forwarded-proto": "http" } }),
      ).headers.get("strict-transport-security"),
    ).toBeNull();
  });

  it("allows eval only under next dev", () => {
    vi.stubEnv("NODE_ENV", "development");
    expect(proxy(new NextRequest("http://localhost:3000/")).headers.get("content-security-policy")).toMatch(
      /'strict-dynamic' 'unsafe-eval'; /,
    );
    expect(contentSecurityPolicy("n", { dev: false, https: false })).not.toContain("unsafe-eval");
  });

  it("matches pages and API routes but not build assets", () => {
    const re = new RegExp(`^${config.matcher[0]}$`);
    for (const p of [
      "/",
      "/pools/us-east-1/app",
      "/audit",
      "/standby",
      "/login",
      "/api/pools/us-east-1/app/capacity",
    ])
      expect(p).toMatch(re);
    for (const p of ["/_next/static/chunks/main.js", "/_next/image", "/favicon.ico", "/icon.svg"])
      expect(p).not.toMatch(re);
  });
});

describe("proxy: a path that cannot be decoded", () => {
  it("is the client's 400 (with the security headers), not the router's bare 500", async () => {
    const res = proxy(new NextRequest("http://localhost:3000/api/pools/us-east-1/%E0%A4%A/capacity"));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ kind: "validation" });
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(proxy(new NextRequest("http://localhost:3000/api/pools/us-east-1/%61pp")).status).toBe(200);
  });
});
