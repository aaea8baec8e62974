import { currentIdentity } from "@/lib/auth/current";
import { assertSameOrigin } from "@/lib/auth/origin";
import { respond } from "@/lib/services/http";
import { readJson } from "@/lib/services/request";
import { authorizeRevert, cancelRevert, extendRevert } from "@/lib/services/revert-actions";

/** Extend a pool's pending revert: `{"revertAfterMinutes": N}` from now. */
export async function POST(req: Request, ctx: { params: Promise<{ region: string; pool: string }> }) {
  return respond(async () => {
    assertSameOrigin(req);
    const identity = await currentIdentity();
    const target = await ctx.params;
    let body: unknown;
    try {
      body = await readJson(req);
    } catch (err) {
      await authorizeRevert(identity, target); // 401/403 (audited) before "bad JSON"
      throw err;
    }
    return extendRevert(identity, target, body);
  });
}

/** Cancel a pool's pending revert: desired stays where it is. */
export async function DELETE(req: Request, ctx: { params: Promise<{ region: string; pool: string }> }) {
  return respond(async () => {
    assertSameOrigin(req);
    const identity = await currentIdentity();
    return cancelRevert(identity, await ctx.params);
  });
}
