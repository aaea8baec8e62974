import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import net from "node:net";

// The moto emulator for tests and the benchmark: `python3 -m moto.server` on a free loopback port,
// ready when its management URL answers, stopped afterwards. Seeding lives in ./seed.ts.
// Known differences from AWS are declared once, in the contract fixture (../contract.test.ts).

export interface MotoServer {
  url: string;
  port: number;
  /** Forget every resource (all services, all regions): a fresh emulator without a restart. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartMotoOptions {
  /** Python with moto installed; defaults to CAPSTAN_PYTHON or python3. */
  python?: string;
  readyTimeoutMs?: number;
}

/** Credentials moto accepts (it checks none); the tests put them in the environment. */
export const MOTO_CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" } as const;

/** Environment that points the SDK's default chain and endpoint resolution at the emulator. */
export function motoEnv(url: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    AWS_REGION: "us-east-1",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
}

/** A loopback port free right now (bind port 0, read it, release it). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, "close");
  return port;
}

/** An endpoint where nothing listens: connections are refused at once (region-down tests). */
export async function deadEndpoint(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const python = options.python ?? process.env.CAPSTAN_PYTHON ?? "python3";
  let lastError: unknown;
  // The port is free when chosen but another process may take it before moto binds: try again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await launch(python, port, options.readyTimeoutMs ?? 30_000);
    } catch (err) {
      lastError = err;
      if (!/Address already in use/i.test(String(err))) break;
    }
  }
  throw lastError;
}

async function launch(python: string, port: number, readyTimeoutMs: number): Promise<MotoServer> {
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(python, ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  const stop = async () => {
    process.removeListener("exit", killOnExit);
    await terminate(child);
  };
  try {
    await waitUntilReady(url, child, readyTimeoutMs, () => stderr);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    port,
    stop,
    async reset() {
      const res = await fetch(`${url}/moto-api/reset`, { method: "POST" });
      if (!res.ok) throw new Error(`moto reset answered HTTP ${res.status}`);
    },
  };
}

/** Polls the management URL until it answers 200; fails fast if the process exits. */
async function waitUntilReady(url: string, child: ChildProcess, timeoutMs: number, stderr: () => string) {
  const deadline = Date.now() + timeoutMs;
  let exited = child.exitCode !== null;
  child.once("exit", () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`moto exited before it was ready:\n${stderr()}`);
    try {
      const res = await fetch(`${url}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // Not listening yet: poll again after a short pause (the condition, not the pause, ends the wait).
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`moto did not answer on ${url} within ${timeoutMs} ms:\n${stderr()}`);
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
