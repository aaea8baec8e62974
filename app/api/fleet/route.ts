import { NextResponse } from "next/server";
import { currentIdentity } from "@/lib/auth/current";
import {
  FETCHED_AT_HEADER,
  fetchedAtHeader,
  fleetVersion,
  matchesIfNoneMatch,
} from "@/lib/services/conditional";
import { errorResponse } from "@/lib/services/http";
import { rangeParam } from "@/lib/services/query";
import { readOverview } from "@/lib/services/read-fleet";

// `private, no-cache`: a browser may keep it but must ask again (If-None-Match) every time, and no
// shared cache may hand one identity's fleet to another. Authorization runs inside readOverview,
// before any version is compared: signed out is 401, never 304.
const CACHE_CONTROL = "private, no-cache";

export async function GET(req: Request) {
  try {
    const view = await readOverview(
      await currentIdentity(),
      rangeParam(new URL(req.url).searchParams.get("range"), "1h"),
    ).fleet;
    const etag = fleetVersion(view);
    const headers = {
      ETag: etag,
      "Cache-Control": CACHE_CONTROL,
      [FETCHED_AT_HEADER]: fetchedAtHeader(view),
    };
    if (matchesIfNoneMatch(req.headers.get("if-none-match"), etag))
      return new NextResponse(null, { status: 304, headers });
    return NextResponse.json(view, { headers });
  } catch (err) {
    return errorResponse(err);
  }
}
