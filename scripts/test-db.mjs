// A fresh PostgreSQL database for one test run (scripts/test.sh), with the `pg` driver so no psql
// client is needed:
//   node scripts/test-db.mjs ping <adminUrl>          exit 0 when the server answers within 3 s
//   node scripts/test-db.mjs create <adminUrl>        creates capstan_test_<time>_<random>, prints its URL
//   node scripts/test-db.mjs drop <adminUrl> <name>   drops <name> and every <name>_* (per-file databases
//                                                     the tests create), ending their connections first
import { randomBytes } from "node:crypto";
import pg from "pg";

const [command, adminUrl, name] = process.argv.slice(2);

function fail(message) {
  console.error(`test-db: ${message}`);
  process.exit(1);
}

async function withAdmin(fn) {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const quote = (ident) => `"${ident.replaceAll('"', '""')}"`;

async function create() {
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const db = `capstan_test_${stamp}_${randomBytes(3).toString("hex")}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${quote(db)}`));
  const url = new URL(adminUrl);
  url.pathname = `/${db}`;
  console.log(url.toString());
}

async function drop() {
  if (!/^capstan_test_[a-z0-9_]+$/.test(name ?? ""))
    fail(`refusing to drop ${JSON.stringify(name)}: not a test database`);
  await withAdmin(async (c) => {
    const { rows } = await c.query(
      "SELECT datname FROM pg_database WHERE datname = $1 OR starts_with(datname, $1 || '_')",
      [name],
    );
    for (const { datname } of rows) {
      // Retried: a connection ended by pg_terminate_backend may still be counted for a moment.
      for (let attempt = 1; ; attempt++) {
        await c.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
          [datname],
        );
        try {
          await c.query(`DROP DATABASE IF EXISTS ${quote(datname)}`);
          break;
        } catch (err) {
          if (attempt >= 5) throw err;
          await new Promise((r) => setTimeout(r, 200 * attempt));
        }
      }
    }
    console.error(
      `test-db: dropped ${rows.length} database(s): ${rows.map((r) => r.datname).join(", ") || "none"}`,
    );
  });
}

if (!adminUrl) fail("usage: test-db.mjs ping|create|drop <adminUrl> [name]");
try {
  if (command === "ping") await withAdmin((c) => c.query("SELECT 1"));
  else if (command === "create") await create();
  else if (command === "drop") await drop();
  else fail(`unknown command ${JSON.stringify(command)}`);
} catch (err) {
  fail(`${command}: ${err instanceof Error ? err.message : String(err)}`);
}
