import { changeCapacityRequest } from "@/lib/services/capacity/change-request";
import { respond } from "@/lib/services/http";

/** Change a pool's desired capacity (admins: also min/max). Everything else lives in the service. */
export async function POST(req: Request, ctx: { params: Promise<{ region: string; pool: string }> }) {
  return respond(async () => changeCapacityRequest(req, await ctx.params));
}
