import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

// One production server (`node .next/standalone/server.js`, what the image ships) as a child
// process, for the replica tests and the benchmark. server.js changes directory to its own folder,
// so CAPSTAN_CONFIG and CAPSTAN_DATA_DIR must be absolute; it listens on PORT and HOSTNAME.
// Every server started here is killed if this process exits without stopping it.
// CAPSTAN_E2E_STANDALONE_SERVER names another build's server.js (e.g. one built in a scratch copy).

export const STANDALONE_SERVER = path.resolve(
  process.env.CAPSTAN_E2E_STANDALONE_SERVER || ".next/standalone/server.js",
);

export interface StandaloneOptions {
  /** A label for messages ("replica-1"). */
  name: string;
  port: number;
  /** Absolute path (checked). */
  config: string;
  /** Absolute path (checked). */
  dataDir: string;
  /** Added to (and overriding) the inherited environment. */
  env?: Record<string, string>;
}

export interface StandaloneServer {
  name: string;
  port: number;
  /** http://127.0.0.1:PORT — also the Origin mutating requests must carry (unless CAPSTAN_PUBLIC_ORIGIN). */
  url: string;
  pid: number;
  /** The last 8 kB of stdout and stderr, for failure messages. */
  output(): string;
  running(): boolean;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once (a crash); resolves once the process is gone. */
  kill(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const child of live) child.kill("SIGKILL");
  });
}

export function assertStandaloneBuilt(): void {
  if (!existsSync(STANDALONE_SERVER)) {
    throw new Error(
      `${path.relative(process.cwd(), STANDALONE_SERVER)} is missing: run \`npm run build\` (next.config.js output: "standalone").`,
    );
  }
}

/** Spawns the server and returns at once; wait for it with waitHealthy(). */
export function startStandalone(opts: StandaloneOptions): StandaloneServer {
  assertStandaloneBuilt();
  for (const [k, v] of [
    ["config", opts.config],
    ["dataDir", opts.dataDir],
  ] as const) {
    if (!path.isAbsolute(v))
      throw new Error(
        `startStandalone(${opts.name}): ${k} must be absolute (server.js changes directory): ${v}`,
      );
  }
  installExitHook();
  const child = spawn(process.execPath, [STANDALONE_SERVER], {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ...opts.env,
      PORT: String(opts.port),
      HOSTNAME: "127.0.0.1",
      CAPSTAN_CONFIG: opts.config,
      CAPSTAN_DATA_DIR: opts.dataDir,
    },
  });
  live.add(child);
  let out = "";
  const keep = (c: Buffer) => (out = (out + c.toString()).slice(-8000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => {
      live.delete(child);
      resolve();
    });
  });
  const running = () => child.exitCode === null && child.signalCode === null;

  return {
    name: opts.name,
    port: opts.port,
    url: `http://127.0.0.1:${opts.port}`,
    pid: child.pid!,
    output: () => out,
    running,
    exited,
    async stop(graceMs = 5000) {
      if (!running()) return exited;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (running()) child.kill("SIGKILL");
      await exited;
    },
  };
}

/**
 * Polls GET /api/health until it answers 200 and returns its JSON; fails at once if the process
 * exits, or with its output after `timeoutMs`. Signed out it says only ok/degraded: pass an
 * Authorization header for the details.
 */
export async function waitHealthy(
  server: StandaloneServer,
  timeoutMs = 60_000,
  headers: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    if (!server.running())
      throw new Error(`${server.name} exited before it was healthy:\n${server.output()}`);
    try {
      const res = await fetch(`${server.url}/api/health`, { headers, signal: AbortSignal.timeout(5000) });
      const text = await res.text();
      if (res.status === 200) return JSON.parse(text) as Record<string, unknown>;
      last = `HTTP ${res.status} ${text.slice(0, 300)}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${server.name} not healthy within ${timeoutMs} ms (${last}):\n${server.output()}`);
}
