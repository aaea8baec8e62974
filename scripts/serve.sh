#!/usr/bin/env bash
# One command from a fresh clone to the dashboard on the simulated fleet at http://localhost:3000:
# install (exactly the locked versions), build, serve. PORT, CAPSTAN_CONFIG, CAPSTAN_DATA_DIR apply.
# `serve.sh --no-build` (npm start) serves the existing build.
#
# It runs the standalone server (.next/standalone/server.js, what the container image runs). That
# server changes into its own folder on start, so relative paths are resolved here, against the
# caller's directory, and passed on absolute.
set -euo pipefail
caller=$PWD
cd "$(dirname "$0")/.."
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true NEXT_TELEMETRY_DISABLED=1
if [ "${1:-}" != "--no-build" ]; then
  lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ ! -f node_modules/.capstan-lock ] || [ "$(cat node_modules/.capstan-lock)" != "$lock_sum" ]; then
    npm ci --no-audit --no-fund
    echo "$lock_sum" > node_modules/.capstan-lock
  fi
  npm run build
fi
[ -f .next/standalone/server.js ] || { echo "serve.sh: no build in .next/standalone: run npm run build" >&2; exit 1; }

absolute() { case "$1" in /*) echo "$1" ;; *) echo "$caller/$1" ;; esac; }
export CAPSTAN_CONFIG CAPSTAN_DATA_DIR
CAPSTAN_CONFIG=$(absolute "${CAPSTAN_CONFIG:-fleet.config.yaml}")
CAPSTAN_DATA_DIR=$(absolute "${CAPSTAN_DATA_DIR:-data}")
# The standalone server binds to HOSTNAME, which a shell or a container may already set to the
# machine's name: listen on every interface, as `next start` did.
export PORT=${PORT:-3000} HOSTNAME=0.0.0.0
exec node .next/standalone/server.js
