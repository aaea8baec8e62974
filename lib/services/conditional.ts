import "server-only";
import { createHash } from "node:crypto";
import type { FleetView } from "@/lib/fleet/views";

// Conditional refresh of GET /api/fleet. The version (a weak ETag) is a hash of what the viewer
// would draw: their own regions and pools, so two identities with different scopes never share
// one, and a change anywhere in their view makes a new one. Left out of it: `generatedAt` (new on
// every request) and each region's `fetchedAt` (new on every upstream refresh even when nothing
// changed); a 304 carries the current fetchedAt per region in a header, so the data age on screen
// stays true. Weak, because the body is not byte-identical from one request to the next.

/**
 * Per region, the time its data was fetched, sent with 200 and 304 alike:
 * "us-east-1=2026-…Z,us-west-2=…" (empty: never reached). Read by components/fleet/fleet-refresh.ts.
 */
export const FETCHED_AT_HEADER = "X-Capstan-Fetched-At";

export function fleetVersion(view: FleetView): string {
  const h = createHash("sha256");
  h.update(`${view.range}|${view.period}|`);
  for (const r of view.regions) h.update(JSON.stringify({ ...r, fetchedAt: undefined }));
  return `W/"${h.digest("base64url").slice(0, 27)}"`;
}

export function fetchedAtHeader(view: FleetView): string {
  return view.regions.map((r) => `${r.region}=${r.fetchedAt ?? ""}`).join(",");
}

/**
 * RFC 9110 If-None-Match: weak comparison (W/ ignored on both sides), a list of tags, or "*".
 */
export function matchesIfNoneMatch(header: string | null, etag: string): boolean {
  if (!header) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, "");
  const mine = bare(etag);
  return header.split(",").some((t) => t.trim() === "*" || bare(t) === mine);
}
