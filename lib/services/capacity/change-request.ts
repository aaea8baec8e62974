import "server-only";
import { currentIdentity } from "@/lib/auth/current";
import { assertSameOrigin } from "@/lib/auth/origin";
import { clientAddress } from "../client-address";
import { readJson } from "../request";
import { authorizeChange } from "./change-authorize";
import { changeCapacity, type ChangeResult, type ChangeTarget } from "./change-capacity";

/**
 * POST /api/pools/{region}/{pool}/capacity as one use case, so the route is only its address.
 * Same origin first (a cross-site request never reaches the backend), then the identity, then
 * the body: a body that cannot be read (413, 415, bad JSON) is answered only after authorization,
 * so a signed-out or denied caller gets its 401/403 (audited, rate-limited) whatever it sent.
 */
export async function changeCapacityRequest(req: Request, target: ChangeTarget): Promise<ChangeResult> {
  assertSameOrigin(req);
  const identity = await currentIdentity();
  const deps = { clientAddress: clientAddress(req.headers) };
  let body: unknown;
  try {
    body = await readJson(req);
  } catch (err) {
    await authorizeChange(identity, target, undefined, deps);
    throw err;
  }
  return changeCapacity(identity, target, body, deps);
}
