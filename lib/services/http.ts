import "server-only";
import { NextResponse } from "next/server";
import { ConfigError } from "@/lib/config";
import { AppError } from "@/lib/errors";

/** The one place typed errors become HTTP responses. */
export function errorResponse(err: unknown): NextResponse {
  if (err instanceof AppError) {
    return NextResponse.json({ error: err.message, kind: err.kind, ...err.body() }, { status: err.status });
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
