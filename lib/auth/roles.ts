import "server-only";
import { ROLE_NAMES, type Role } from "@/lib/config/schema";
import { ForbiddenError, UnauthenticatedError } from "@/lib/errors";

export type { Role };
export const ROLES: readonly Role[] = ROLE_NAMES;

export interface Scope {
  regions?: string[];
  /** Pool ids or globs (`worker-*`). */
  pools?: string[];
}

/** One role, optionally limited to some regions and pools. */
export interface Grant {
  role: Role;
  /** Absent: every region and pool. */
  scope?: Scope;
}

/**
 * Who is asking. `role: null` is a verified person whom no configured group grants a role
 * (ALB sign-in): they are known — pages can greet them — but `authorize` answers 403 to
 * every action, reads included. "Nobody" (signed out) is `null`, not an Identity, and is 401.
 */
export interface Identity {
  name: string;
  /** The highest role held; null when the identity maps to no role. */
  role: Role | null;
  source: "dev" | "alb" | "token";
  /** Scope of `role`. Absent: every region and pool. */
  scope?: Scope;
  /**
   * Every grant held, when the identity holds more than `role`/`scope` expresses (ALB groups:
   * operator for `worker-*` and viewer everywhere). `can`/`authorize` honour all of them.
   */
  grants?: Grant[];
}

/** What `authorize` returns: an identity that holds a role. */
export type AuthorizedIdentity = Identity & { role: Role };

export type Action =
  | "fleet:read"
  | "capacity:change"
  | "bounds:change"
  | "guardrail:override"
  | "audit:read"
  | "sim:faults"
  | "standby:plan"
  | "notifications:read";

export type Target = { region?: string; pool?: string };

const REQUIRED: Record<Action, Role> = {
  "fleet:read": "viewer",
  "audit:read": "viewer",
  "capacity:change": "operator",
  "bounds:change": "admin",
  "guardrail:override": "admin",
  "sim:faults": "admin",
  "standby:plan": "admin",
  "notifications:read": "admin",
};

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

export function roleRank(role: Role | null): number {
  return role ? RANK[role] : 0;
}

export function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split("*").map(escapeRe).join(".*")}$`);
  return re.test(value);
}
function escapeRe(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

export function scopeCovers(scope: Scope | undefined, target: Target): boolean {
  if (!scope) return true;
  if (target.region && scope.regions && !scope.regions.includes(target.region)) return false;
  if (target.pool && scope.pools && !scope.pools.some((p) => globMatch(p, target.pool!))) return false;
  return true;
}

function grantsOf(identity: Identity): Grant[] {
  if (identity.grants) return identity.grants;
  return identity.role ? [{ role: identity.role, scope: identity.scope }] : [];
}

/** Does any grant cover the target at all (any role)? For filtering lists to what one may see. */
export function inScope(identity: Identity, target: Target): boolean {
  return grantsOf(identity).some((g) => scopeCovers(g.scope, target));
}

/** Pure check, for hiding controls. Enforcement goes through `authorize`. */
export function can(identity: Identity | null | undefined, action: Action, target: Target = {}): boolean {
  if (!identity) return false;
  const need = RANK[REQUIRED[action]];
  return grantsOf(identity).some((g) => RANK[g.role] >= need && scopeCovers(g.scope, target));
}

/**
 * Every read and write goes through here, first line of each use case. Throws
 * UnauthenticatedError (401) for nobody, ForbiddenError (403) for a role too low, a target out
 * of scope, or an identity with no role. Never returns a nullable that could become "no filter".
 */
export function authorize(
  identity: Identity | null | undefined,
  action: Action,
  target: Target = {},
): AuthorizedIdentity {
  if (!identity) throw new UnauthenticatedError();
  if (!identity.role) {
    throw new ForbiddenError(
      `${identity.name} is signed in, but none of their groups grants a Capstan role.`,
    );
  }
  const need = RANK[REQUIRED[action]];
  if (can(identity, action, target)) {
    if (!identity.grants) return identity as AuthorizedIdentity;
    // Record the role the grant that allows this actually gives here (an admin of worker-* who
    // changes app does it as the operator they are there), not the highest role held anywhere.
    const used = identity.grants
      .filter((g) => RANK[g.role] >= need && scopeCovers(g.scope, target))
      .sort((a, b) => RANK[b.role] - RANK[a.role])[0]!;
    return { ...identity, role: used.role };
  }
  if (!grantsOf(identity).some((g) => RANK[g.role] >= need)) {
    throw new ForbiddenError(`Role ${identity.role} may not ${describe(action)}.`);
  }
  const what = [target.pool && `pool ${target.pool}`, target.region && `region ${target.region}`]
    .filter(Boolean)
    .join(" in ");
  throw new ForbiddenError(`${identity.name} may not ${describe(action)} for ${what}.`);
}

function describe(action: Action): string {
  switch (action) {
    case "fleet:read":
      return "view the fleet";
    case "audit:read":
      return "view the audit log";
    case "capacity:change":
      return "change desired capacity";
    case "bounds:change":
      return "change min or max";
    case "guardrail:override":
      return "override guardrails";
    case "sim:faults":
      return "set simulated faults";
    case "standby:plan":
      return "apply the standby plan";
    case "notifications:read":
      return "view notification deliveries";
  }
}
