import { currentIdentity } from "@/lib/auth/current";
import { respond } from "@/lib/services/http";
import { rangeParam } from "@/lib/services/query";
import { readPool } from "@/lib/services/read-pool";

export async function GET(req: Request, ctx: { params: Promise<{ region: string; pool: string }> }) {
  return respond(async () => {
    const { region, pool } = await ctx.params;
    return readPool(
      await currentIdentity(),
      region,
      pool,
      rangeParam(new URL(req.url).searchParams.get("range"), "6h"),
    );
  });
}
