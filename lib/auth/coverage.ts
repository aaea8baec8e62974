import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

// Static check behind coverage.test.ts (test-only; nothing in the app imports it).
//
// THE RULE. Every route handler export (GET, POST, …) in app/**/route.ts and every server action
// (each export of a "use server" file, and each function with an inline "use server") must reach
//   1. a call to `authorize(` imported from lib/auth, and
//   2. a call to `currentIdentity(` imported from lib/auth (the identity comes from the request),
// either in its own body or through functions it calls or passes along: functions of the same
// file, and exported functions of project modules (lib/services/…), followed transitively.
// Mutating route handlers (POST, PUT, PATCH, DELETE) must also reach `assertSameOrigin(`.
// PUBLIC_HANDLERS lists the only exceptions to 1–2, each with its reason. It is a static check:
// it proves the call is there, not that every branch makes it; the unit tests do the rest.

export const PUBLIC_HANDLERS: Record<string, { exports: string[]; why: string }> = {
  "app/api/health/route.ts": {
    exports: ["GET"],
    why: "load-balancer health check; answers ok and nothing else",
  },
  "app/api/session/route.ts": {
    exports: ["GET", "POST", "DELETE"],
    why: "who am I / dev sign-in / sign-out: there is no identity to authorize yet (POST and DELETE still check Origin)",
  },
};

const HTTP_METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"];
const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const SOURCE = /\.(ts|tsx|js|mjs)$/;

type Binding =
  | { kind: "import"; from: string | null; name: string }
  | { kind: "namespace"; from: string | null }
  | { kind: "local"; node: ts.Node };
type ExportRef =
  | { kind: "node"; node: ts.Node }
  | { kind: "alias"; local: string }
  | { kind: "reexport"; from: string | null; name: string }
  /** An export form this check cannot follow to a function: it fails, never skips. */
  | { kind: "opaque"; why: string };
interface Mod {
  file: string;
  sf: ts.SourceFile;
  bindings: Map<string, Binding>;
  exports: Map<string, ExportRef>;
  star: (string | null)[];
}

export interface Finding {
  file: string;
  name: string;
  problem: string;
}

export class CoverageChecker {
  private mods = new Map<string, Mod>();
  constructor(readonly root: string) {}

  resolve(fromFile: string, spec: string): string | null {
    let base: string;
    if (spec.startsWith("@/")) base = path.join(this.root, spec.slice(2));
    else if (spec.startsWith(".")) base = path.resolve(path.dirname(fromFile), spec);
    else return null;
    const candidates = [
      base,
      ...[".ts", ".tsx", ".js", ".mjs"].map((e) => base + e),
      ...["index.ts", "index.tsx"].map((i) => path.join(base, i)),
    ];
    return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? null;
  }

  load(file: string): Mod {
    const cached = this.mods.get(file);
    if (cached) return cached;
    const sf = ts.createSourceFile(
      file,
      readFileSync(file, "utf8"),
      ts.ScriptTarget.Latest,
      true,
      file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
    );
    const mod: Mod = { file, sf, bindings: new Map(), exports: new Map(), star: [] };
    const exported = (n: ts.Node) =>
      ts.canHaveModifiers(n) &&
      (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    const isDefault = (n: ts.Node) =>
      ts.canHaveModifiers(n) &&
      (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
    for (const st of sf.statements) {
      if (
        ts.isImportDeclaration(st) &&
        ts.isStringLiteral(st.moduleSpecifier) &&
        st.importClause &&
        !st.importClause.isTypeOnly
      ) {
        const from = this.resolve(file, st.moduleSpecifier.text);
        const c = st.importClause;
        if (c.name) mod.bindings.set(c.name.text, { kind: "import", from, name: "default" });
        if (c.namedBindings && ts.isNamespaceImport(c.namedBindings))
          mod.bindings.set(c.namedBindings.name.text, { kind: "namespace", from });
        if (c.namedBindings && ts.isNamedImports(c.namedBindings)) {
          for (const el of c.namedBindings.elements) {
            if (!el.isTypeOnly)
              mod.bindings.set(el.name.text, {
                kind: "import",
                from,
                name: (el.propertyName ?? el.name).text,
              });
          }
        }
      } else if (ts.isFunctionDeclaration(st)) {
        if (st.name) mod.bindings.set(st.name.text, { kind: "local", node: st });
        if (exported(st))
          mod.exports.set(isDefault(st) ? "default" : (st.name?.text ?? "default"), {
            kind: "node",
            node: st,
          });
      } else if (ts.isVariableStatement(st)) {
        for (const d of st.declarationList.declarations) {
          if (!ts.isIdentifier(d.name) && exported(st)) {
            // `export const { GET, POST } = handlers`: which function each name gets is not visible here.
            for (const name of boundNames(d.name))
              mod.exports.set(name, {
                kind: "opaque",
                why: "a destructured export (export const { … } = …)",
              });
            continue;
          }
          if (ts.isIdentifier(d.name) && !d.initializer && exported(st)) {
            // `export let GET; … GET = …`: the value is assigned somewhere this check does not follow.
            mod.exports.set(d.name.text, {
              kind: "opaque",
              why: "an exported variable without an initializer",
            });
            continue;
          }
          if (!ts.isIdentifier(d.name) || !d.initializer) continue;
          mod.bindings.set(d.name.text, { kind: "local", node: d.initializer });
          if (exported(st)) mod.exports.set(d.name.text, { kind: "node", node: d.initializer });
        }
      } else if (ts.isExportDeclaration(st) && !st.isTypeOnly) {
        const from =
          st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)
            ? this.resolve(file, st.moduleSpecifier.text)
            : undefined;
        if (!st.exportClause) mod.star.push(from ?? null);
        else if (ts.isNamespaceExport(st.exportClause)) {
          mod.exports.set(st.exportClause.name.text, {
            kind: "opaque",
            why: "a namespace re-export (export * as …)",
          });
        } else if (ts.isNamedExports(st.exportClause)) {
          for (const el of st.exportClause.elements) {
            const orig = (el.propertyName ?? el.name).text;
            mod.exports.set(
              el.name.text,
              from === undefined ? { kind: "alias", local: orig } : { kind: "reexport", from, name: orig },
            );
          }
        }
      } else if (ts.isExportAssignment(st)) {
        mod.exports.set("default", { kind: "node", node: st.expression });
      } else if (
        (ts.isClassDeclaration(st) || ts.isEnumDeclaration(st) || ts.isModuleDeclaration(st)) &&
        st.name &&
        ts.isIdentifier(st.name) &&
        exported(st)
      ) {
        mod.exports.set(st.name.text, {
          kind: "opaque",
          why: ts.isClassDeclaration(st) ? "an exported class" : "an exported enum or namespace",
        });
      }
    }
    this.mods.set(file, mod);
    return mod;
  }

  /** The node an export resolves to, following aliases and re-exports. */
  exportNode(file: string, name: string, seen = new Set<string>()): { mod: Mod; node: ts.Node } | null {
    const key = `${file}#${name}`;
    if (seen.has(key)) return null;
    seen.add(key);
    const mod = this.load(file);
    const ref = mod.exports.get(name);
    if (ref?.kind === "node") return { mod, node: ref.node };
    if (ref?.kind === "alias") {
      const b = mod.bindings.get(ref.local);
      if (b?.kind === "local") return { mod, node: b.node };
      if (b?.kind === "import" && b.from) return this.exportNode(b.from, b.name, seen);
      return null;
    }
    if (ref?.kind === "reexport") return ref.from ? this.exportNode(ref.from, ref.name, seen) : null;
    for (const from of mod.star) {
      const hit = from ? this.exportNode(from, name, seen) : null;
      if (hit) return hit;
    }
    return null;
  }

  /**
   * Every name the module exports, `export *` included. `unresolved` lists `export * from` a
   * module outside the project (a package): its names cannot be known, so the caller must fail.
   */
  exportNames(file: string, seen = new Set<string>()): { names: Set<string>; unresolved: number } {
    const out = { names: new Set<string>(), unresolved: 0 };
    if (seen.has(file)) return out;
    seen.add(file);
    const mod = this.load(file);
    for (const name of mod.exports.keys()) out.names.add(name);
    for (const from of mod.star) {
      if (!from) {
        out.unresolved++;
        continue;
      }
      const inner = this.exportNames(from, seen);
      for (const name of inner.names) if (name !== "default") out.names.add(name);
      out.unresolved += inner.unresolved;
    }
    return out;
  }

  /** Why an export cannot be analysed (following aliases, re-exports and stars), or null. */
  whyOpaque(file: string, name: string, seen = new Set<string>()): string | null {
    const key = `${file}#${name}`;
    if (seen.has(key)) return null;
    seen.add(key);
    const mod = this.load(file);
    const ref = mod.exports.get(name);
    if (ref?.kind === "opaque") return ref.why;
    if (ref?.kind === "reexport")
      return ref.from
        ? this.whyOpaque(ref.from, ref.name, seen)
        : "re-exported from a module outside the project";
    if (ref?.kind === "alias") {
      const b = mod.bindings.get(ref.local);
      if (b?.kind === "import")
        return b.from ? this.whyOpaque(b.from, b.name, seen) : "imported from a module outside the project";
      return null;
    }
    if (!ref)
      for (const from of mod.star)
        if (from) {
          const why = this.whyOpaque(from, name, seen);
          if (why) return why;
        }
    return null;
  }

  private isAuthModule(file: string | null): boolean {
    return !!file && path.relative(path.join(this.root, "lib", "auth"), file).split(path.sep)[0] !== "..";
  }

  /** Does `node` (in `mod`) reach a call to lib/auth's `target`, directly or through calls? */
  reaches(mod: Mod, node: ts.Node, target: string, depth = 0, visited = new Set<ts.Node>()): boolean {
    if (depth > 8 || visited.has(node)) return false;
    visited.add(node);
    const follow = (expr: ts.Expression, asCall: boolean): boolean => {
      if (ts.isIdentifier(expr)) {
        const b = mod.bindings.get(expr.text);
        if (!b) return false;
        if (b.kind === "local") return this.reaches(mod, b.node, target, depth + 1, visited);
        if (b.kind === "import") {
          if (asCall && b.name === target && this.isAuthModule(b.from)) return true;
          const hit = b.from ? this.exportNode(b.from, b.name) : null;
          return !!hit && this.reaches(hit.mod, hit.node, target, depth + 1, visited);
        }
      }
      if (ts.isPropertyAccessExpression(expr) && ts.isIdentifier(expr.expression)) {
        const b = mod.bindings.get(expr.expression.text);
        if (b?.kind !== "namespace") return false;
        if (asCall && expr.name.text === target && this.isAuthModule(b.from)) return true;
        const hit = b.from ? this.exportNode(b.from, expr.name.text) : null;
        return !!hit && this.reaches(hit.mod, hit.node, target, depth + 1, visited);
      }
      return false;
    };
    let found = false;
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (ts.isCallExpression(n)) {
        // A function passed along (`respond(readFleet)`, `withIdentity(handler)`) counts as called.
        if (follow(n.expression, true) || n.arguments.some((a) => follow(a, false))) {
          found = true;
          return;
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(node);
    return found;
  }

  /** Problems with one handler or action. */
  check(mod: Mod, node: ts.Node, opts: { public: boolean; mutating: boolean }): string[] {
    const problems: string[] = [];
    if (!opts.public) {
      if (!this.reaches(mod, node, "authorize"))
        problems.push("does not call authorize() (directly or through lib/services)");
      if (!this.reaches(mod, node, "currentIdentity"))
        problems.push("does not take the identity from currentIdentity()");
    }
    if (opts.mutating && !this.reaches(mod, node, "assertSameOrigin"))
      problems.push("mutates but does not call assertSameOrigin(req)");
    return problems;
  }
}

function boundNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((el) => (ts.isOmittedExpression(el) ? [] : boundNames(el.name)));
}

function walk(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (SOURCE.test(name) && !/\.test\.|\.spec\./.test(name)) out.push(p);
  }
  return out;
}

function isUseServer(stmt: ts.Statement | undefined): boolean {
  return (
    !!stmt &&
    ts.isExpressionStatement(stmt) &&
    ts.isStringLiteral(stmt.expression) &&
    stmt.expression.text === "use server"
  );
}

export function checkAuthorizationCoverage(
  root: string,
  publicHandlers = PUBLIC_HANDLERS,
): { checked: string[]; findings: Finding[] } {
  const checker = new CoverageChecker(root);
  const checked: string[] = [];
  const findings: Finding[] = [];
  const report = (file: string, name: string, problems: string[]) => {
    checked.push(`${file} ${name}`);
    for (const problem of problems) findings.push({ file, name, problem });
  };
  for (const abs of ["app", "components", "lib"].flatMap((d) => walk(path.join(root, d)))) {
    const rel = path.relative(root, abs).split(path.sep).join("/");
    const mod = checker.load(abs);
    // Any export form the checker cannot follow fails the check (never skipped silently).
    const verify = (name: string, mutating: boolean) => {
      const hit = checker.exportNode(abs, name);
      if (hit)
        return report(
          rel,
          name,
          checker.check(hit.mod, hit.node, {
            public: !!publicHandlers[rel]?.exports.includes(name),
            mutating,
          }),
        );
      const why = checker.whyOpaque(abs, name);
      report(rel, name, [
        why
          ? `cannot be analysed (${why}): declare it as a function, e.g. export async function ${name}(…)`
          : "cannot be followed to its definition",
      ]);
    };
    const isRoute = rel.startsWith("app/") && /\/route\.(ts|tsx|js|mjs)$/.test(rel);
    const isActions = isUseServer(mod.sf.statements[0]);
    if (isRoute || isActions) {
      const { names, unresolved } = checker.exportNames(abs);
      if (unresolved > 0)
        report(rel, "export *", [
          "re-exports everything from a module outside the project, which cannot be analysed",
        ]);
      for (const name of names) {
        if (isRoute && HTTP_METHODS.includes(name)) verify(name, MUTATING.has(name));
        else if (isActions) verify(name, false);
      }
    }
    const inline = (n: ts.Node): void => {
      if (
        ts.isFunctionLike(n) &&
        "body" in n &&
        n.body &&
        ts.isBlock(n.body) &&
        isUseServer(n.body.statements[0])
      ) {
        const name = `${ts.isFunctionDeclaration(n) && n.name ? n.name.text : "inline action"} (line ${mod.sf.getLineAndCharacterOfPosition(n.getStart()).line + 1})`;
        report(rel, name, checker.check(mod, n, { public: false, mutating: false }));
      }
      ts.forEachChild(n, inline);
    };
    inline(mod.sf);
  }
  return { checked, findings };
}
