import { currentIdentity } from "@/lib/auth/current";
import { assertSameOrigin } from "@/lib/auth/origin";
import { authorizeChange, changeCapacity } from "@/lib/services/capacity/change-capacity";
import { clientAddress } from "@/lib/services/client-address";
import { respond } from "@/lib/services/http";
import { readJson } from "@/lib/services/request";

/** Change a pool's desired capacity (admins: also min/max). The rules live in the service. */
export async function POST(req: Request, ctx: { params: Promise<{ region: string; pool: string }> }) {
  return respond(async () => {
    assertSameOrigin(req); // before anything else: a cross-site request never reaches the backend
    const identity = await currentIdentity();
    const target = await ctx.params;
    const deps = { clientAddress: clientAddress(req.headers) };
    let body: unknown;
    try {
      body = await readJson(req);
    } catch (err) {
      await authorizeChange(identity, target, undefined, deps); // 401/403 (audited) before "bad JSON"
      throw err;
    }
    return changeCapacity(identity, target, body, deps);
  });
}
