import path from "node:path";
import { defineConfig, devices, type PlaywrightTestConfig } from "@playwright/test";
import { AWS_E2E_DATA_DIR, AWS_E2E_PORT, AWS_E2E_TOKEN } from "./e2e/aws/env";

// End-to-end tests run against the production build's standalone server (what the container image
// runs), each server on its own port with a fresh data directory. Build first (`npm run build`);
// scripts/test.sh does. The server changes into .next/standalone on start, so paths are absolute.
// Ports: CAPSTAN_E2E_PORT_BASE (default 3100) for sim, +1 faults, +2 aws, so several checkouts on
// one machine can each run their own servers (CI=true never reuses someone else's).
const BASE = Number(process.env.CAPSTAN_E2E_PORT_BASE || 3100);
const SIM_PORT = BASE;
const FAULTS_PORT = BASE + 1;

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
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
  },
  projects: [
    { name: "sim", testMatch: /sim\/.*\.spec\.ts/, use: { ...devices["Desktop Chrome"], baseURL: `http://localhost:${SIM_PORT}` } },
    { name: "faults", testMatch: /faults\/.*\.spec\.ts/, use: { ...devices["Desktop Chrome"], baseURL: `http://localhost:${FAULTS_PORT}` } },
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
    // Two standalone servers on one PostgreSQL database, started by the spec itself
    // (e2e/replicas/cluster.ts: moto, the counting AWS proxy, a fresh database): no webServer.
    { name: "replicas", testMatch: /replicas\/.*\.spec\.ts/ },
    // ALB sign-in: a standalone server behind a local stand-in for the load balancer, started by
    // the spec itself (e2e/alb/alb-standin.ts) on free ports: no webServer.
    { name: "alb", testMatch: /alb\/.*\.spec\.ts/, use: { ...devices["Desktop Chrome"] } },
  ],
  // CAPSTAN_E2E_SERVERS=sim,faults starts only those (the alb and replicas projects need none).
  webServer: pick([
    ["sim", server("sim", SIM_PORT)],
    ["faults", server("faults", FAULTS_PORT, { CAPSTAN_SIM_FAULTS: "us-west-2:down" })],
    // backend: aws against moto: the wrapper starts and seeds moto, writes the configuration, runs
    // the standalone server, and stops moto when Playwright stops it (SIGTERM).
    ["aws", {
      command: `rm -rf ${AWS_E2E_DATA_DIR} && ./node_modules/.bin/tsx e2e/aws/moto-server.ts ${AWS_E2E_PORT}`,
      url: `http://localhost:${AWS_E2E_PORT}/api/health`,
      reuseExistingServer: !process.env.CI,
      timeout: 90_000,
      env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
      stdout: "ignore" as const,
      stderr: "pipe" as const,
      gracefulShutdown: { signal: "SIGTERM" as const, timeout: 10_000 },
    }],
  ]),
});

type WebServer = Extract<NonNullable<PlaywrightTestConfig["webServer"]>, unknown[]>[number];

function pick(servers: [string, WebServer][]): WebServer[] {
  const wanted = process.env.CAPSTAN_E2E_SERVERS?.split(",").map((s) => s.trim());
  return servers.filter(([name]) => !wanted || wanted.includes(name)).map(([, s]) => s);
}
