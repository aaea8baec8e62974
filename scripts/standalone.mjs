// Completes Next.js's standalone output after `next build` (the `build` npm script runs it):
// .next/standalone holds server.js and the traced node_modules but neither .next/static nor
// public/, which the server still serves. Copies both, then checks that the packages loaded at
// run time by a plain `require` (the native better-sqlite3 binding, the pg driver) were traced,
// so a server that would fail on its first database call fails the build instead.
import { cpSync, existsSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const standalone = path.join(root, ".next", "standalone");

function fail(message) {
  console.error(`scripts/standalone.mjs: ${message}`);
  process.exit(1);
}

if (!existsSync(path.join(standalone, "server.js"))) {
  fail(
    `${path.relative(root, standalone)}/server.js is missing: is output: "standalone" set in next.config.js, and did next build succeed?`,
  );
}

const copies = [
  [path.join(root, ".next", "static"), path.join(standalone, ".next", "static")],
  [path.join(root, "public"), path.join(standalone, "public")],
];
for (const [from, to] of copies) {
  rmSync(to, { recursive: true, force: true });
  if (existsSync(from)) cpSync(from, to, { recursive: true });
}
if (!existsSync(path.join(standalone, ".next", "static"))) fail(".next/static is missing after the copy");

const required = [
  "node_modules/better-sqlite3/build/Release/better_sqlite3.node",
  "node_modules/better-sqlite3/package.json",
  "node_modules/pg/package.json",
];
const missing = required.filter((p) => !existsSync(path.join(standalone, p)));
if (missing.length > 0) {
  fail(
    `not traced into .next/standalone: ${missing.join(", ")}. ` +
      "Keep the package in serverExternalPackages (next.config.js) and import it from server code, " +
      "or list it in outputFileTracingIncludes.",
  );
}
console.log(
  `standalone server ready: ${path.relative(process.cwd(), standalone) || "."}/server.js (static assets copied, better-sqlite3 and pg present)`,
);
