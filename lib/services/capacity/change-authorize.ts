import "server-only";
import { auditStore, type AuditStore } from "@/lib/audit";
import { authorize, type AuthorizedIdentity, type Identity } from "@/lib/auth/roles";
import { findPool, getConfig, type FleetConfig } from "@/lib/config";
import { ForbiddenError } from "@/lib/errors";
import { assertKnownTarget, limitSignedOut, refuse } from "../refusals";
import { looseRecord, type ChangeTarget } from "./change-audit";

/**
 * Step 1 of a change on its own: may this identity change capacity here? A denial is audited
 * (with what can safely be read from the body) and rethrown. Route handlers call it directly
 * when the body cannot even be parsed, so authorization still comes first.
 */
export async function authorizeChange(
  identity: Identity | null | undefined,
  target: ChangeTarget,
  raw: unknown,
  deps: { store?: AuditStore; config?: FleetConfig; now?: () => Date; clientAddress?: string } = {},
): Promise<AuthorizedIdentity> {
  try {
    return authorize(identity, "capacity:change", target);
  } catch (err) {
    if (!identity) {
      // Signed out: nothing is written, but a flood from one address is still answered 429.
      await limitSignedOut(
        deps.store ?? auditStoreOrNull(),
        deps.clientAddress,
        (deps.now ?? (() => new Date()))(),
      );
    }
    if (identity && err instanceof ForbiddenError) {
      const config = deps.config ?? getConfig();
      assertKnownTarget(config, target);
      const group = findPool(config, target.pool)?.groups?.[target.region] ?? null;
      const rec = looseRecord(identity, target, raw, group, (deps.now ?? (() => new Date()))());
      await refuse(() => deps.store ?? auditStore(), rec, "denied", "Forbidden", err);
    }
    throw err;
  }
}

function auditStoreOrNull(): AuditStore | null {
  try {
    return auditStore();
  } catch {
    return null;
  }
}
