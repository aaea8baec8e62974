import path from "node:path";
import { defineConfig, devices, type PlaywrightTestConfig } from "@playwright/test";
import { AWS_E2E_DATA_DIR, AWS_E2E_PORT, AWS_E2E_TOKEN, E2E_BASE_PORT } from "./e2e/aws/env";

// End-to-end tests run against the production build's standalone server (what the container image
// runs), each server on its own port with a fresh data directory. Build first (`npm run build`);
// scripts/test.sh does. The server changes into .next/standalone on start, so paths are absolute.
// CAPSTAN_E2E_BASE_PORT (default 3100) moves the ports (sim, +1 faults, +2 aws, +3 loop), e.g. for a
// second checkout on one machine (CI=true never reuses someone else's server). Only the servers
// the run needs start: those of the --project(s) given, or CAPSTAN_E2E_SERVERS ("sim,faults",
// "none"); alb and replicas start their own.
const SIM_PORT = E2E_BASE_PORT;
const FAULTS_PORT = E2E_BASE_PORT + 1;
const LOOP_PORT = E2E_BASE_PORT + 3;
const env = (name: string, port: number, extra: Record<string, string> = {}) => ({
  PORT: String(port),
  HOSTNAME: "127.0.0.1",
  CAPSTAN_CONFIG: path.resolve("fleet.config.yaml"),
  CAPSTAN_DATA_DIR: path.resolve(".e2e-data", name),
  CAPSTAN_SIM_WARMUP_SECONDS: "8",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  ...extra,
});
const server = (name: string, port: number, extra: Record<string, string> = {}) => ({
  command: `rm -rf .e2e-data/${name} && node .next/standalone/server.js`,
  url: `http://localhost:${port}/api/health`,
  reuseExistingServer: !process.env.CI,
  timeout: 60_000,
  env: env(name, port, extra),
  stdout: "ignore" as const,
  stderr: "pipe" as const,
});

type WebServer = Extract<NonNullable<PlaywrightTestConfig["webServer"]>, unknown[]>[number];

/** The server each project's specs talk to (none: the spec starts its own). */
const SERVER_OF: Record<string, string | null> = {
  loop: "loop",
  aws: "aws",
  sim: "sim",
  faults: "faults",
  replicas: null,
  alb: null,
};

/** `--project a --project=b` on the command line, if any (the runner's argv; workers have none). */
function cliProjects(argv: string[]): string[] {
  const out: string[] = [];
  argv.forEach((a, i) => {
    if (a === "--project" && argv[i + 1]) out.push(argv[i + 1]!);
    else if (a.startsWith("--project=")) out.push(a.slice("--project=".length));
  });
  return out;
}

/**
 * The servers this run needs: CAPSTAN_E2E_SERVERS (comma-separated names, or "none") if set, else
 * those of the projects named by --project, else all. An unknown name is an error, not a no-op.
 */
function pick(servers: [string, WebServer][]): WebServer[] {
  const known = servers.map(([name]) => name);
  let wanted = process.env.CAPSTAN_E2E_SERVERS?.split(",")
    .map((s) => s.trim())
    .filter((s) => s && s !== "none");
  if (wanted) {
    const unknown = wanted.filter((w) => !known.includes(w));
    if (unknown.length)
      throw new Error(
        `CAPSTAN_E2E_SERVERS: unknown server ${unknown.join(", ")} (known: ${known.join(", ")}, none)`,
      );
  } else {
    const projects = cliProjects(process.argv);
    // A glob or a name not in the table: start everything rather than guess.
    if (projects.length && projects.every((p) => p in SERVER_OF))
      wanted = projects.map((p) => SERVER_OF[p]).filter((s): s is string => !!s);
  }
  return servers.filter(([name]) => !wanted || wanted.includes(name)).map(([, s]) => s);
}

export default defineConfig({
  testDir: "e2e",
  timeout: 45_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [["list"], ["json"]] : [["list"]],
  use: {
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  // Projects run in this order. "aws" first: its server seeds moto's CPU for the minutes before it
  // started, and the overview shows a figure as "now" only while it is a few minutes old.
  projects: [
    // The scaling loop (surge → degraded → suggestion → bump → helped) on a server whose clocks
    // run in seconds, so other projects keep the production timings.
    {
      name: "loop",
      testMatch: /e2e\/loop\/.*\.spec\.ts/,
      use: { ...devices["Desktop Chrome"], baseURL: `http://localhost:${LOOP_PORT}` },
    },
    {
      name: "aws",
      testMatch: /aws\/.*\.spec\.ts/,
      use: {
        ...devices["Desktop Chrome"],
        baseURL: `http://localhost:${AWS_E2E_PORT}`,
        // API-token sign-in (auth.mode: tokens): sent with every request, the page's fetches included.
        extraHTTPHeaders: { Authorization: `Bearer ${AWS_E2E_TOKEN}` },
      },
    },
    {
      name: "sim",
      testMatch: /sim\/.*\.spec\.ts/,
      use: { ...devices["Desktop Chrome"], baseURL: `http://localhost:${SIM_PORT}` },
    },
    {
      name: "faults",
      testMatch: /faults\/.*\.spec\.ts/,
      use: { ...devices["Desktop Chrome"], baseURL: `http://localhost:${FAULTS_PORT}` },
    },
    // Two standalone servers on one PostgreSQL database, started by the spec itself
    // (e2e/replicas/cluster.ts: moto, the counting AWS proxy, a fresh database): no webServer.
    { name: "replicas", testMatch: /replicas\/.*\.spec\.ts/ },
    // ALB sign-in: a standalone server behind a local stand-in for the load balancer, started by
    // the spec itself (e2e/alb/alb-standin.ts) on free ports: no webServer.
    { name: "alb", testMatch: /e2e\/alb\/.*\.spec\.ts/, use: { ...devices["Desktop Chrome"] } },
  ],
  webServer: pick([
    // Background jobs every second: a 1-minute time-boxed change comes back within a test.
    ["sim", server("sim", SIM_PORT, { CAPSTAN_BACKGROUND_SECONDS: "1" })],
    ["faults", server("faults", FAULTS_PORT, { CAPSTAN_SIM_FAULTS: "us-west-2:down" })],
    [
      "loop",
      server("loop", LOOP_PORT, {
        CAPSTAN_DEGRADED_AFTER_SECONDS: "120",
        CAPSTAN_EFFECT_SETTLE_SECONDS: "5",
        CAPSTAN_BACKGROUND_SECONDS: "1",
      }),
    ],
    // backend: aws against moto: the wrapper starts and seeds moto, writes the configuration, runs
    // the standalone server, and stops moto when Playwright stops it (SIGTERM).
    [
      "aws",
      {
        command: `rm -rf ${AWS_E2E_DATA_DIR} && ./node_modules/.bin/tsx e2e/aws/moto-server.ts ${AWS_E2E_PORT}`,
        url: `http://localhost:${AWS_E2E_PORT}/api/health`,
        reuseExistingServer: !process.env.CI,
        timeout: 90_000,
        env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
        stdout: "ignore" as const,
        stderr: "pipe" as const,
        gracefulShutdown: { signal: "SIGTERM" as const, timeout: 10_000 },
      },
    ],
  ]),
});
