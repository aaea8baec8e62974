# Capstan's image: the Next.js standalone server (.next/standalone, completed by `npm run build`
# with the static assets and checked for better-sqlite3 and pg), the same server that
# `npm run serve`, the end-to-end tests and the benchmark start. See docs/deploy.md.
#   docker build -t capstan .
#   docker run -p 3000:3000 -v capstan-data:/data capstan

# deps: every dependency (dev ones too: the build needs them). better-sqlite3 compiles from source:
# python3, make, g++, and Node's headers from this image (.npmrc's nodedir=/usr is for Debian hosts).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund

# build: next build, then scripts/standalone.mjs (static assets copied into .next/standalone).
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN npm run build

# runtime: only the standalone folder (server.js, .next, public, the traced node_modules) and the
# default configuration; no compiler, no source, no dev dependencies.
FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
  NEXT_TELEMETRY_DISABLED=1 \
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true \
  PORT=3000 \
  HOSTNAME=0.0.0.0 \
  CAPSTAN_CONFIG=/app/fleet.config.yaml \
  CAPSTAN_DATA_DIR=/data
RUN groupadd --system --gid 10001 capstan \
  && useradd --system --uid 10001 --gid capstan --no-create-home --home-dir /nonexistent capstan \
  && mkdir -p /data \
  && chown capstan:capstan /data
COPY --from=build --chown=root:root /app/.next/standalone ./
COPY --from=build --chown=root:root /app/fleet.config.yaml ./fleet.config.yaml
# The app is read-only to its user; Next.js may write its own cache.
RUN mkdir -p .next/cache && chown capstan:capstan .next/cache
USER 10001:10001
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "server.js"]
