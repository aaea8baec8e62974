import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { freePort } from "@/test/support/aws";
import { sha256Hex } from "@/lib/auth/tokens";

// Server time on the production build (the standalone server, as the container image runs it)
// with the simulated backend, the fleet grown with CAPSTAN_SIM_EXTRA_POOLS. The reference
// configuration (fleet.config.yaml) is copied with one API token added (tokens work in every auth
// mode), so the bench signs in whatever the mode.

const TOKEN = `cap_bench_${randomBytes(16).toString("hex")}`;

export interface ServerMeasure {
  pools: number;
  extraPools: number;
  startMs: number;
  /** First request after start: every cache empty. */
  fleetColdMs: number;
  fleetMedianMs: number;
  fleetP90Ms: number;
  htmlMedianMs: number;
  htmlP90Ms: number;
  fleetBytes: number;
  htmlBytes: number;
  fleetBytesPerPool: number;
  rssMb: number;
}

export interface Running {
  extraPools: number;
  base: string;
  child: ChildProcess;
  dir: string;
  startMs: number;
}

/**
 * Starts one server per fleet size, then times the same requests on each, interleaved (run i on
 * every server before run i + 1), so that load from elsewhere on the machine falls on every size
 * alike. Servers start one after the other and are all stopped at the end.
 */
export async function measureServers(extraPools: number[], runs: number): Promise<ServerMeasure[]> {
  const running: Running[] = [];
  try {
    for (const extra of extraPools) running.push(await startServer(extra));
    const get = async (s: Running, p: string) => {
      const t0 = performance.now();
      const res = await fetch(`${s.base}${p}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
        redirect: "manual",
      });
      const body = await res.text();
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`GET ${p}: HTTP ${res.status} ${body.slice(0, 300)}`);
      return { ms, bytes: Buffer.byteLength(body), body };
    };
    const out = [];
    for (const s of running) {
      const cold = await get(s, "/api/fleet?range=1h");
      const pools = (JSON.parse(cold.body) as { regions: { pools: unknown[] }[] }).regions[0]!.pools.length;
      for (let i = 0; i < 3; i++) {
        await get(s, "/api/fleet?range=1h");
        await get(s, "/");
      }
      out.push({ s, pools, cold, fleet: [] as number[], html: [] as number[], fleetBytes: 0, htmlBytes: 0 });
    }
    for (let i = 0; i < runs; i++) {
      for (const m of out) {
        const f = await get(m.s, "/api/fleet?range=1h");
        m.fleet.push(f.ms);
        m.fleetBytes = f.bytes;
        const h = await get(m.s, "/");
        m.html.push(h.ms);
        m.htmlBytes = h.bytes;
      }
    }
    return out.map((m) => ({
      pools: m.pools,
      extraPools: m.s.extraPools,
      startMs: m.s.startMs,
      fleetColdMs: m.cold.ms,
      fleetMedianMs: quantile(m.fleet, 0.5),
      fleetP90Ms: quantile(m.fleet, 0.9),
      htmlMedianMs: quantile(m.html, 0.5),
      htmlP90Ms: quantile(m.html, 0.9),
      fleetBytes: m.fleetBytes,
      htmlBytes: m.htmlBytes,
      fleetBytesPerPool: m.fleetBytes / m.pools,
      rssMb: treeRssKb(m.s.child.pid!) / 1024,
    }));
  } finally {
    for (const s of running) {
      await stop(s.child);
      rmSync(s.dir, { recursive: true, force: true });
    }
  }
}

export async function startServer(extraPools: number, env: Record<string, string> = {}): Promise<Running> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "capstan-bench-"));
  const configFile = path.join(dir, "fleet.config.yaml");
  const doc = parseYaml(readFileSync("fleet.config.yaml", "utf8")) as { auth: { tokens?: unknown[] } };
  doc.auth.tokens = [...(doc.auth.tokens ?? []), { name: "bench", role: "viewer", sha256: sha256Hex(TOKEN) }];
  writeFileSync(configFile, stringifyYaml(doc));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const started = performance.now();
  // The server changes into .next/standalone on start: every path it is given is absolute.
  const child = spawn(process.execPath, [path.resolve(".next/standalone/server.js")], {
    stdio: ["ignore", "ignore", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      NEXT_TELEMETRY_DISABLED: "1",
      CAPSTAN_CONFIG: configFile,
      CAPSTAN_DATA_DIR: path.join(dir, "data"),
      CAPSTAN_SIM_EXTRA_POOLS: String(extraPools),
      CAPSTAN_SESSION_SECRET: randomBytes(36).toString("base64"),
      ...env,
    },
  });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  try {
    await waitReady(`${base}/api/health`, child, () => stderr);
  } catch (err) {
    await stop(child);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return { extraPools, base, child, dir, startMs: performance.now() - started };
}

export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return s[lo]! + (s[hi]! - s[lo]!) * (i - lo);
}

async function waitReady(url: string, child: ChildProcess, stderr: () => string) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${stderr()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server did not answer ${url} within 90 s:\n${stderr()}`);
}

/** Resident memory of a process and its descendants, from /proc (kB). */
function treeRssKb(pid: number): number {
  let kb = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    try {
      const status = readFileSync(`/proc/${p}/status`, "utf8");
      kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      for (const task of readdirSync(`/proc/${p}/task`)) {
        const children = readFileSync(`/proc/${p}/task/${task}/children`, "utf8").trim();
        if (children) stack.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // gone meanwhile
    }
  }
  return kb;
}

/** Stops a server from startServer and removes its data. */
export async function stopServer(s: Running): Promise<void> {
  await stop(s.child);
  rmSync(s.dir, { recursive: true, force: true });
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}
