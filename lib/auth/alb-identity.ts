import "server-only";
import type { AuthConfig } from "@/lib/config/schema";
import { roleRank, type Grant, type Identity } from "./roles";

export type AlbConfig = NonNullable<AuthConfig["alb"]>;

/**
 * Groups claim → list. IdPs send an array (Cognito `cognito:groups`, Okta, Entra) or one
 * comma-separated string; anything else means "no groups", hence no role.
 */
export function groupsFrom(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === "string" && g.length > 0);
  if (typeof value === "string") {
    return value
      .split(",")
      .map((g) => g.trim())
      .filter(Boolean);
  }
  return [];
}

export function grantsFor(groups: string[], roles: AlbConfig["roles"]): Grant[] {
  const out: Grant[] = [];
  for (const group of groups) {
    if (!Object.hasOwn(roles, group)) continue;
    const g = roles[group]!;
    if (typeof g === "string") out.push({ role: g });
    else {
      const scope = { ...(g.regions && { regions: g.regions }), ...(g.pools && { pools: g.pools }) };
      out.push(Object.keys(scope).length ? { role: g.role, scope } : { role: g.role });
    }
  }
  return out;
}

/**
 * Verified ALB claims → Identity. The highest role wins and names the identity; when that
 * grant is scoped and others exist, all grants are kept so a lower unscoped grant (viewer
 * everywhere) still applies outside the higher one's scope. No matching group → role null (403).
 * Returns null when the claims carry no usable name: an actor must be nameable in the audit log.
 */
export function identityFromAlbClaims(payload: Record<string, unknown>, alb: AlbConfig): Identity | null {
  const named = payload[alb.nameClaim];
  const name =
    typeof named === "string" && named.trim()
      ? named.trim()
      : typeof payload.sub === "string" && payload.sub
        ? payload.sub
        : null;
  if (!name) return null;
  const grants = grantsFor(groupsFrom(payload[alb.groupsClaim]), alb.roles);
  if (grants.length === 0) return { name, role: null, source: "alb" };
  const top = Math.max(...grants.map((g) => roleRank(g.role)));
  const best = grants.filter((g) => roleRank(g.role) === top);
  const unscoped = best.find((g) => !g.scope);
  if (unscoped) return { name, role: unscoped.role, source: "alb" };
  const first = best[0]!;
  if (grants.length === 1) return { name, role: first.role, source: "alb", scope: first.scope };
  return { name, role: first.role, source: "alb", scope: first.scope, grants };
}
