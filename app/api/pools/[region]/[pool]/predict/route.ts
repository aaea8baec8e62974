import { currentIdentity } from "@/lib/auth/current";
import { respond } from "@/lib/services/http";
import { readPrediction } from "@/lib/services/predict";

export async function GET(req: Request, ctx: { params: Promise<{ region: string; pool: string }> }) {
  return respond(async () => {
    const { region, pool } = await ctx.params;
    return readPrediction(
      await currentIdentity(),
      region,
      pool,
      new URL(req.url).searchParams.get("desired"),
    );
  });
}
