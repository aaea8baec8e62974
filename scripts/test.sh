#!/usr/bin/env bash
# The whole test suite from a fresh machine: installs what it needs (npm packages, Debian's
# Chromium), then lint, typecheck, unit + contract tests (the moto emulator is started by the
# tests themselves), production build, end-to-end tests in Chromium, and the benchmark's checks.
# Ends with one line: "N passed, N failed".
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
step "lint";      npx eslint . --max-warnings=0 || failed_steps=$((failed_steps + 1))
step "typecheck"; npx tsc --noEmit || failed_steps=$((failed_steps + 1))
step "unit and contract tests"
npx vitest run --reporter=default --reporter=json --outputFile.json="$out/vitest.json" || true
step "build";     npx next build || failed_steps=$((failed_steps + 1))
step "end-to-end"
if [ -d .next ]; then
  CI=${CI:-true} PLAYWRIGHT_JSON_OUTPUT_NAME="$out/playwright.json" npx playwright test || true
fi
# Each of the benchmark's targets counts as one result (from its JSON); a bench that ends in error
# without results counts as one failed step.
step "benchmark"
if [ -d .next ]; then
  rm -f bench/results/latest.json
  npx tsx bench/run.ts; bench_rc=$?
  if [ -f bench/results/latest.json ]; then
    cp bench/results/latest.json "$out/bench.json"
    if [ "$bench_rc" -ne 0 ] && node -e 'process.exit(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).checks.some((c) => !c.ok) ? 1 : 0)' "$out/bench.json"; then
      failed_steps=$((failed_steps + 1))
    fi
  else
    failed_steps=$((failed_steps + 1))
  fi
fi

node scripts/count-results.mjs "$out" "$failed_steps"
