import { ForbiddenError, UnauthenticatedError } from "@/lib/services/errors";

export type Role = "viewer" | "operator" | "admin";
export const ROLES: readonly Role[] = ["viewer", "operator", "admin"];

export interface Scope {
  regions?: string[];
  /** Pool ids or globs (`worker-*`). */
  pools?: string[];
}

export interface Identity {
  name: string;
  role: Role;
  source: "dev" | "alb" | "token";
  /** Absent: every region and pool. */
  scope?: Scope;
}

export type Action =
  | "fleet:read"
  | "capacity:change"
  | "bounds:change"
  | "guardrail:override"
  | "audit:read"
  | "sim:faults";

const REQUIRED: Record<Action, Role> = {
  "fleet:read": "viewer",
  "audit:read": "viewer",
  "capacity:change": "operator",
  "bounds:change": "admin",
  "guardrail:override": "admin",
  "sim:faults": "admin",
};

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

export function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split("*").map(escapeRe).join(".*")}$`);
  return re.test(value);
}
function escapeRe(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

export function inScope(identity: Identity, target: { region?: string; pool?: string }): boolean {
  const s = identity.scope;
  if (!s) return true;
  if (target.region && s.regions && !s.regions.includes(target.region)) return false;
  if (target.pool && s.pools && !s.pools.some((p) => globMatch(p, target.pool!))) return false;
  return true;
}

/** Pure check, for hiding controls. Enforcement goes through `authorize`. */
export function can(identity: Identity | null, action: Action, target: { region?: string; pool?: string } = {}): boolean {
  if (!identity) return false;
  return RANK[identity.role] >= RANK[REQUIRED[action]] && inScope(identity, target);
}

/**
 * Every read and write goes through here, first line of each use case. Throws; never returns
 * a nullable that could end up as "no filter".
 */
export function authorize(
  identity: Identity | null | undefined,
  action: Action,
  target: { region?: string; pool?: string } = {},
): Identity {
  if (!identity) throw new UnauthenticatedError();
  if (RANK[identity.role] < RANK[REQUIRED[action]]) {
    throw new ForbiddenError(`Role ${identity.role} may not ${describe(action)}.`);
  }
  if (!inScope(identity, target)) {
    const what = [target.pool && `pool ${target.pool}`, target.region && `region ${target.region}`].filter(Boolean).join(" in ");
    throw new ForbiddenError(`${identity.name} may not ${describe(action)} for ${what}.`);
  }
  return identity;
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
  }
}
