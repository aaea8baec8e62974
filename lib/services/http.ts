import "server-only";
import { NextResponse } from "next/server";
import { ConfigError } from "@/lib/config";
import { AppError, RateLimitedError } from "@/lib/errors";

/** The one place typed errors become HTTP responses. */
export function errorResponse(err: unknown): NextResponse {
  if (err instanceof AppError) {
    const headers =
      err instanceof RateLimitedError ? { "Retry-After": String(err.retryAfterSeconds) } : undefined;
    return NextResponse.json(
      { error: err.message, kind: err.kind, ...err.body() },
      { status: err.status, headers },
    );
  }
  if (err instanceof URIError) {
    // A path or query with malformed percent-encoding (/api/pools/us-east-1/%E0%A4%A/…): the client's fault.
    return NextResponse.json(
      {
        error: "Malformed percent-encoding in the URL.",
        kind: "validation",
        fields: { _: "malformed URL encoding" },
      },
      { status: 400 },
    );
  }
  if (err instanceof ConfigError) {
    return NextResponse.json({ error: "Server configuration is invalid.", kind: "config" }, { status: 500 });
  }
  console.error("capstan: unexpected error", err);
  return NextResponse.json({ error: "Internal error.", kind: "internal" }, { status: 500 });
}

/** Route handlers are thin: run the use case, map errors here. */
export async function respond<T>(fn: () => Promise<T>, init?: ResponseInit): Promise<NextResponse> {
  try {
    const data = await fn();
    return NextResponse.json(data, { ...init, headers: { "Cache-Control": "no-store", ...init?.headers } });
  } catch (err) {
    return errorResponse(err);
  }
}
