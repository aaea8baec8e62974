import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CoverageChecker } from "./coverage";
import { matrixActions, type Action } from "@/test/support/auth/matrix-cases";

// The authorization matrix (matrix.test.ts) must have a column for every route handler: they are
// found on disk (app/**/route.ts and the methods each exports, `export *` and re-exports
// followed), so a new route without a column fails here — there is no hand-kept list to forget.

/** Handlers that are not role-gated, with the reason; the coverage test (coverage.ts) holds them. */
const NOT_IN_MATRIX: Record<string, string> = {
  "POST app/api/session/route.ts": "dev sign-in: there is no identity yet to hold a role",
  "DELETE app/api/session/route.ts": "sign-out: clears the caller's own cookie, whoever they are",
};

const HTTP_METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"];
const ROOT = process.cwd();

function routeFiles(dir = path.join(ROOT, "app")): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) return routeFiles(abs);
    return /^route\.(ts|tsx|js|mjs)$/.test(e.name) ? [abs] : [];
  });
}

/** `app/api/pools/[region]/[pool]/route.ts` → a regex for the URL paths it answers. */
function pathPattern(rel: string): RegExp {
  const segs = rel
    .replace(/^app\//, "")
    .replace(/\/?route\.\w+$/, "")
    .split("/")
    .filter((s) => s && !/^\(.*\)$/.test(s) && !s.startsWith("@"))
    .map((s) =>
      /^\[\[?\.\.\./.test(s) ? ".+" : /^\[.+\]$/.test(s) ? "[^/]+" : s.replace(/[.*+?^${}()|\\]/g, "\\$&"),
    );
  return new RegExp(`^/${segs.join("/")}$`);
}

/** The request a column makes, as method and path. */
function requestOf(column: string, act: Action): { method: string; path: string } {
  const direct = /^(GET|POST|PUT|PATCH|DELETE) (\/\S+)$/.exec(column);
  if (direct) return { method: direct[1]!, path: direct[2]! };
  const revert = /^(POST|DELETE) revert ([\w-]+)\/([\w-]+)$/.exec(column);
  if (revert) return { method: revert[1]!, path: `/api/pools/${revert[2]}/${revert[3]}/revert` };
  if (act.kind === "write" && act.target)
    return { method: "POST", path: `/api/pools/${act.target.region}/${act.target.pool}/capacity` };
  throw new Error(`matrix column "${column}": say which request it makes (name it "METHOD /path")`);
}

describe("the authorization matrix covers every route handler on disk", () => {
  const checker = new CoverageChecker(ROOT);
  const handlers = routeFiles().flatMap((abs) => {
    const rel = path.relative(ROOT, abs).split(path.sep).join("/");
    const { names, unresolved } = checker.exportNames(abs);
    if (unresolved > 0)
      throw new Error(`${rel}: export * from a module outside the project: its handlers cannot be listed`);
    return [...names]
      .filter((n) => HTTP_METHODS.includes(n))
      .map((method) => ({ handler: `${method} ${rel}`, method, re: pathPattern(rel) }));
  });
  const actions = matrixActions(() => Promise.reject(new Error("not called")));
  const requests = Object.entries(actions).map(([column, act]) => ({
    column,
    ...requestOf(column, act as Action),
  }));

  it("finds the route handlers (the scan itself works)", () => {
    expect(handlers.map((h) => h.handler)).toEqual(
      expect.arrayContaining([
        "GET app/api/fleet/route.ts",
        "POST app/api/pools/[region]/[pool]/capacity/route.ts",
        "DELETE app/api/admin/surge/route.ts",
      ]),
    );
    expect(
      pathPattern("app/api/pools/[region]/[pool]/revert/route.ts").test("/api/pools/us-east-1/app/revert"),
    ).toBe(true);
    expect(
      pathPattern("app/api/pools/[region]/[pool]/route.ts").test("/api/pools/us-east-1/app/revert"),
    ).toBe(false);
  });

  it("every route handler has a column, except the listed ones, each with a reason", () => {
    const uncovered = handlers
      .filter((h) => !NOT_IN_MATRIX[h.handler])
      .filter((h) => !requests.some((r) => r.method === h.method && h.re.test(r.path)))
      .map((h) => h.handler);
    expect(uncovered).toEqual([]);
    for (const why of Object.values(NOT_IN_MATRIX)) expect(why.length).toBeGreaterThan(20);
  });

  it("every exemption and every column names a handler that exists", () => {
    expect(Object.keys(NOT_IN_MATRIX).filter((k) => !handlers.some((h) => h.handler === k))).toEqual([]);
    const orphans = requests
      .filter((r) => !handlers.some((h) => h.method === r.method && h.re.test(r.path.split("?")[0]!)))
      .map((r) => r.column);
    expect(orphans).toEqual([]);
  });
});
