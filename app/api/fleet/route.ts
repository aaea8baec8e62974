import { currentIdentity } from "@/lib/auth/current";
import { respond } from "@/lib/services/http";
import { rangeParam } from "@/lib/services/query";
import { readFleet } from "@/lib/services/read-fleet";

export async function GET(req: Request) {
  return respond(async () => readFleet(await currentIdentity(), rangeParam(new URL(req.url).searchParams.get("range"), "1h")));
}
