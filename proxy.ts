import { NextResponse, type NextRequest } from "next/server";

// Response hardening for every page and API response (Next 16's proxy, formerly middleware).
// This is NOT where anyone is authorized: every server action and route handler calls
// authorize() itself (lib/auth/coverage.test.ts enforces it). The proxy only sets headers.
//
// The CSP nonce is fresh per request. Next reads it from the *request's* Content-Security-Policy
// header during rendering and stamps it on its own scripts, so pages must render dynamically
// (they do: they read the request's identity).

export interface CspOptions {
  /** `next dev`: React uses eval for debugging aids. */
  dev: boolean;
  /** Served over https (directly or behind a TLS-terminating load balancer). */
  https: boolean;
}

export function contentSecurityPolicy(nonce: string, { dev, https }: CspOptions): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // <style> elements need the nonce (Next stamps it on its own); no 'unsafe-inline' for them,
    // so injected CSS cannot restyle the page. Style *attributes* (React `style={…}`, recharts'
    // SVG) cannot carry a nonce: they alone are allowed, through style-src-attr.
    `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

export function securityHeaders(nonce: string, opts: CspOptions): Record<string, string> {
  return {
    "Content-Security-Policy": contentSecurityPolicy(nonce, opts),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    // Browsers ignore HSTS received over plain http, so a spoofed x-forwarded-proto gains nothing.
    ...(opts.https ? { "Strict-Transport-Security": "max-age=31536000; includeSubDomains" } : {}),
  };
}

export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes));
}

export function isHttps(request: NextRequest): boolean {
  const forwarded = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  return forwarded ? forwarded === "https" : request.nextUrl.protocol === "https:";
}

/** Can every percent-escape in the path be decoded? (`/api/pools/us-east-1/%E0%A4%A` cannot.) */
export function decodablePath(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

export function proxy(request: NextRequest): NextResponse {
  const nonce = newNonce();
  const headers = securityHeaders(nonce, {
    dev: process.env.NODE_ENV === "development",
    https: isHttps(request),
  });

  // Next's router answers a path it cannot decode with a bare 500 (no headers); it is the
  // client's mistake: 400, before any route runs.
  if (!decodablePath(request.nextUrl.pathname)) {
    const res = NextResponse.json(
      {
        error: "Malformed percent-encoding in the URL.",
        kind: "validation",
        fields: { _: "malformed URL encoding" },
      },
      { status: 400 },
    );
    for (const [name, value] of Object.entries(headers)) res.headers.set(name, value);
    return res;
  }

  // Forward the nonce to rendering: Next extracts it from this request header.
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", headers["Content-Security-Policy"]!);

  const response = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  // Everything except build assets, which are immutable files rather than documents.
  matcher: ["/((?!_next/static|_next/image|favicon\\.ico|icon\\.svg).*)"],
};
