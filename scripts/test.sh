#!/usr/bin/env bash
# The whole test suite from a fresh machine: installs what it needs (npm packages, Debian's
# Chromium), provides a fresh PostgreSQL database for the run, then lint, typecheck, unit +
# contract tests (the moto emulator is started by the tests themselves), production build,
# end-to-end tests in Chromium, and the benchmark's checks. Ends with one line: "N passed, N failed".
#
# PostgreSQL: the server named by CAPSTAN_TEST_DATABASE_URL (an admin connection) if set; else the
# one on 127.0.0.1:5432 if it answers; else Debian's postgresql is installed and a throwaway cluster
# runs in a temporary directory on a free port. CAPSTAN_TEST_PG=cluster forces the throwaway
# cluster (to try that path on a machine that has a server). On that server a database
# capstan_test_<time>_<random> is created; every later step gets CAPSTAN_TEST_DATABASE_URL (that
# database) and CAPSTAN_REQUIRE_POSTGRES=1; on exit it is dropped, with every <it>_* database the
# tests created, and the throwaway cluster is stopped and deleted.
set -uo pipefail
cd "$(dirname "$0")/.."
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
export NEXT_TELEMETRY_DISABLED=1
out=.test-results
rm -rf "$out" && mkdir -p "$out"

step() { printf '\n=== %s\n' "$*"; }
die() { echo "test.sh: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

step "install"
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.capstan-lock ] || [ "$(cat node_modules/.capstan-lock)" != "$lock_sum" ]; then
  npm ci --no-audit --no-fund || die "npm ci failed"
  echo "$lock_sum" > node_modules/.capstan-lock
fi
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  ($SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium) || die "could not install Debian's chromium"
fi
python3 -c "import moto" 2>/dev/null || die "python3 with moto is required for the AWS contract tests (python3 -m pip install 'moto[server]')"

failed_steps=0
step "PostgreSQL"
pg_dir="" pg_bin="" run_db="" admin_url=""
cleanup() {
  if [ -n "$run_db" ]; then node scripts/test-db.mjs drop "$admin_url" "$run_db" || true; run_db=""; fi
  if [ -n "$pg_dir" ]; then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"; pg_dir=""
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# initdb and the server refuse to run as root: as root, run them as the postgres user.
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
throwaway_cluster() {
  if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    ($SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql) || return 1
  fi
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  local port
  port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })') || return 1
  pg_dir=$(mktemp -d) || return 1
  [ "$(id -u)" -eq 0 ] && chown postgres "$pg_dir"
  as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres >"$pg_dir/initdb.log" 2>&1 || { cat "$pg_dir/initdb.log" >&2; return 1; }
  as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1" -l "$pg_dir/log" -w start >/dev/null || { cat "$pg_dir/log" >&2; return 1; }
  admin_url="postgres://postgres@127.0.0.1:$port/postgres"
  echo "throwaway cluster ($pg_bin) in $pg_dir on port $port"
}
if [ -n "${CAPSTAN_TEST_DATABASE_URL:-}" ]; then
  admin_url=$CAPSTAN_TEST_DATABASE_URL; echo "server from CAPSTAN_TEST_DATABASE_URL"
elif [ "${CAPSTAN_TEST_PG:-}" != "cluster" ] && node scripts/test-db.mjs ping postgres://postgres@127.0.0.1:5432/postgres 2>/dev/null; then
  admin_url=postgres://postgres@127.0.0.1:5432/postgres; echo "local server on 127.0.0.1:5432"
else
  throwaway_cluster || { echo "test.sh: could not install or start a throwaway PostgreSQL cluster" >&2; admin_url=""; }
fi
if [ -n "$admin_url" ] && run_url=$(node scripts/test-db.mjs create "$admin_url"); then
  run_db=${run_url##*/}; run_db=${run_db%%\?*}
  export CAPSTAN_TEST_DATABASE_URL=$run_url CAPSTAN_REQUIRE_POSTGRES=1
  echo "run database: $run_db"
else
  echo "test.sh: FAILED to get a PostgreSQL database for this run (see above); PostgreSQL tests cannot run" >&2
  unset CAPSTAN_TEST_DATABASE_URL
  failed_steps=$((failed_steps + 1))
fi

step "lint";      npx eslint . --max-warnings=0 || failed_steps=$((failed_steps + 1))
step "cycles";    node scripts/check-cycles.mjs || failed_steps=$((failed_steps + 1))
step "format";    npx prettier --check . || failed_steps=$((failed_steps + 1))
step "typecheck"; npx tsc --noEmit || failed_steps=$((failed_steps + 1))
step "unit and contract tests"
npx vitest run --reporter=default --reporter=json --outputFile.json="$out/vitest.json" || true
step "build";     npm run build || failed_steps=$((failed_steps + 1))
step "end-to-end"
if [ -f .next/standalone/server.js ]; then
  CI=${CI:-true} PLAYWRIGHT_JSON_OUTPUT_NAME="$out/playwright.json" npx playwright test || true
fi
# Each of the benchmark's targets counts as one result (from its JSON); a bench that ends in error
# without results counts as one failed step.
step "benchmark"
if [ -f .next/standalone/server.js ]; then
  rm -f bench/results/latest.json
  npm run --silent bench; bench_rc=$?
  if [ -f bench/results/latest.json ]; then
    cp bench/results/latest.json "$out/bench.json"
    if [ "$bench_rc" -ne 0 ] && node -e 'process.exit(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).checks.some((c) => !c.ok) ? 1 : 0)' "$out/bench.json"; then
      failed_steps=$((failed_steps + 1))
    fi
  else
    failed_steps=$((failed_steps + 1))
  fi
fi

# Cleaned up here rather than by the trap alone, so the result line stays the last line.
step "clean up"; cleanup
node scripts/count-results.mjs "$out" "$failed_steps"
