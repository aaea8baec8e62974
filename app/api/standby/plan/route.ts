import { currentIdentity } from "@/lib/auth/current";
import { assertSameOrigin } from "@/lib/auth/origin";
import { respond } from "@/lib/services/http";
import { readJson } from "@/lib/services/request";
import { applyStandbyPlan, authorizePlan, readStandbyPlan } from "@/lib/services/standby-plan";

/** Admins: the changes the standby verdict asks for, with guardrails and cost, under one planId. */
export async function GET() {
  return respond(async () => readStandbyPlan(await currentIdentity()));
}

/** Admins: apply a plan `{ planId, reason, revertAfterMinutes? }`; each pool's result is reported. */
export async function POST(req: Request) {
  return respond(async () => {
    assertSameOrigin(req);
    const identity = await currentIdentity();
    let body: unknown;
    try {
      body = await readJson(req);
    } catch (err) {
      await authorizePlan(identity); // 401/403 (audited) before "bad JSON"
      throw err;
    }
    return applyStandbyPlan(identity, body);
  });
}
