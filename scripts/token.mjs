#!/usr/bin/env node
// npm run token -- <name> <role>
// Prints a new random API token (shown once: only its SHA-256 goes into the configuration) and
// the line to paste under `auth.tokens` in fleet.config.yaml. The token's name is the actor
// recorded in the audit log. Use it as `Authorization: Bearer <token>`.
import { createHash, randomBytes } from "node:crypto";

const ROLES = ["viewer", "operator", "admin"];
const [name, role, ...rest] = process.argv.slice(2);

function fail(message) {
  process.stderr.write(`${message}\nusage: npm run token -- <name> <${ROLES.join("|")}>\n`);
  process.exit(2);
}

if (!name || !role || rest.length) fail("expected exactly two arguments: a name and a role");
// Plain names keep the YAML line valid without quoting and the audit log readable.
if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(name))
  fail(`name "${name}": use letters, digits, . _ @ - (at most 64)`);
if (!ROLES.includes(role)) fail(`role "${role}": expected one of ${ROLES.join(", ")}`);

// 32 random bytes: 256 bits, so a fast unsalted SHA-256 in the configuration is safe to store.
const token = `cap_${randomBytes(32).toString("base64url")}`;
const sha256 = createHash("sha256").update(token, "utf8").digest("hex");

process.stdout.write(`${token}\n`);
process.stdout.write(`- { name: ${name}, role: ${role}, sha256: ${sha256} }\n`);
process.stderr.write(
  "\nThe first line is the token: store it in your secret manager now, it is not shown again.\n" +
    "The second line goes under `auth.tokens:` in fleet.config.yaml (add `scope: { pools: [worker-*] }` to limit it).\n",
);
