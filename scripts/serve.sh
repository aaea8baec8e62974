#!/usr/bin/env bash
# One command from a fresh clone to the dashboard on the simulated fleet at http://localhost:3000:
# install (exactly the locked versions), build, serve. PORT, CAPSTAN_CONFIG, CAPSTAN_DATA_DIR apply.
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true NEXT_TELEMETRY_DISABLED=1
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.capstan-lock ] || [ "$(cat node_modules/.capstan-lock)" != "$lock_sum" ]; then
  npm ci --no-audit --no-fund
  echo "$lock_sum" > node_modules/.capstan-lock
fi
./node_modules/.bin/next build
exec ./node_modules/.bin/next start -p "${PORT:-3000}"
