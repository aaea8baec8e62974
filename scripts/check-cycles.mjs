#!/usr/bin/env node
// Import cycles between files, type imports included: `node scripts/check-cycles.mjs` (exit 1 and
// the cycle on stdout when there is one). eslint's import/no-cycle does not follow the `@/` paths
// and takes minutes on this tree; this reads the import lines of every .ts/.tsx file, resolves
// `@/…` and relative specifiers the way tsconfig does, and looks for strongly connected groups.
// The layers themselves (which folder may import which) are eslint's job: eslint.config.mjs.
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const DIRS = ["app", "components", "lib", "scripts", "bench", "e2e", "test"];
const SKIP = new Set(["node_modules", ".next"]);

function walk(dir, out) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP.has(e.name)) walk(p, out);
    } else if (/\.tsx?$/.test(e.name)) out.push(p);
  }
  return out;
}

function resolve(from, spec) {
  let base;
  if (spec.startsWith("@/")) base = path.join(root, spec.slice(2));
  else if (spec.startsWith(".")) base = path.resolve(path.dirname(from), spec);
  else return null;
  for (const c of [
    base,
    `${base}.ts`,
    `${base}.tsx`,
    path.join(base, "index.ts"),
    path.join(base, "index.tsx"),
  ]) {
    if (fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  }
  return null;
}

// import … from "x", export … from "x", import "x", import("x")
const IMPORT_RE =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|(?:^|\n)\s*import\s+["']([^"']+)["']/g;

const files = DIRS.flatMap((d) => walk(path.join(root, d), []));
const graph = new Map();
for (const f of files) {
  const src = fs.readFileSync(f, "utf8");
  const deps = new Set();
  for (const m of src.matchAll(IMPORT_RE)) {
    const r = resolve(f, m[1] ?? m[2] ?? m[3]);
    if (r) deps.add(r);
  }
  graph.set(f, [...deps]);
}

// Tarjan's strongly connected components.
let counter = 0;
const stack = [];
const onStack = new Set();
const index = new Map();
const low = new Map();
const groups = [];
function visit(v) {
  index.set(v, counter);
  low.set(v, counter);
  counter++;
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    if (!index.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
  }
  if (low.get(v) === index.get(v)) {
    const group = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1) groups.push(group);
  }
}
for (const v of graph.keys()) if (!index.has(v)) visit(v);

const rel = (f) => path.relative(root, f);
for (const group of groups) {
  const members = new Set(group);
  console.log(`import cycle (${group.length} files):`);
  for (const f of group)
    console.log(
      `  ${rel(f)} → ${graph
        .get(f)
        .filter((d) => members.has(d))
        .map(rel)
        .join(", ")}`,
    );
}
console.log(
  groups.length
    ? `${groups.length} import cycle(s) in ${files.length} files`
    : `no import cycles in ${files.length} files`,
);
process.exit(groups.length ? 1 : 0);
