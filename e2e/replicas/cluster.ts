import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sha256Hex } from "@/lib/auth/tokens";
import { freePort, motoEnv, startMoto, type MotoServer } from "@/test/support/aws";
import type { FleetConfig } from "@/lib/config/schema";
import { startAwsProxy, type AwsProxy } from "../support/aws-proxy";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { startStandalone, waitHealthy, type StandaloneServer } from "../support/standalone";

// Several replicas of the production server (`node .next/standalone/server.js`) sharing one
// PostgreSQL database, with `backend: aws` against moto through the counting proxy
// (../support/aws-proxy.ts), so every AWS call any replica makes is counted in one place.
// Used by the "replicas" Playwright project (./replicas.spec.ts) and the benchmark
// (bench/replicas.ts).
//
//   moto ← proxy (counts, holds) ← replica 1..N (same CAPSTAN_DATABASE_URL, same session secret,
//                                                 own CAPSTAN_DATA_DIR, own port)

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export const TOKEN_ROLES = {
  operatorA: "operator",
  operatorB: "operator",
  viewer: "viewer",
  admin: "admin",
} as const;
export type TokenName = keyof typeof TOKEN_ROLES;

export interface ClusterOptions {
  /** Names the database (`<base>_<name>_<random>`) and the temporary folder. */
  name: string;
  replicas: number;
  /** The fleet configuration; its `auth` is replaced by API tokens (see TOKEN_ROLES). */
  config: FleetConfig;
  /** Creates the fleet in the emulator (its URL, not the proxy's: seeding is not counted). */
  seed: (motoUrl: string) => Promise<unknown>;
  /** Extra environment for every replica (e.g. CAPSTAN_BACKGROUND_SECONDS). */
  env?: Record<string, string>;
  /** Give up on a replica's /api/health after this long (default 90 s: two cold starts share 2 cores). */
  healthTimeoutMs?: number;
  /** Progress messages (start-up and teardown steps, with their duration). */
  log?: (message: string) => void;
}

/** A step that fails with its name after `ms` instead of hanging whatever waits for it. */
async function bounded<T>(name: string, ms: number, work: Promise<T>, log?: (m: string) => void): Promise<T> {
  const t0 = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${name}: no result within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    log?.(`${name}: ${Date.now() - t0} ms`);
  }
}

export interface ApiReply<T = unknown> {
  status: number;
  body: T;
}

export interface Api {
  get<T = Record<string, unknown>>(p: string, signal?: AbortSignal): Promise<ApiReply<T>>;
  /** A same-origin JSON POST (Origin = the replica's own origin). */
  post<T = Record<string, unknown>>(p: string, data: unknown, signal?: AbortSignal): Promise<ApiReply<T>>;
}

export interface Cluster {
  moto: MotoServer;
  proxy: AwsProxy;
  db: TestDatabase;
  /** Temporary folder: configuration and one data directory per replica. */
  dir: string;
  configFile: string;
  tokens: Record<TokenName, string>;
  /** The token's configured name, which is the actor in the audit log. */
  actor(token: TokenName): string;
  /** replicas[i] is the current process of replica i (replaced by restart()). */
  replicas: StandaloneServer[];
  /** Health JSON of each replica from the start-up. */
  startupHealth: Record<string, unknown>[];
  /** Starts (again) replica i on its port and data directory and waits for its health. */
  restart(i: number): Promise<Record<string, unknown>>;
  /** A JSON client for replica i signed in with a token (resolved at call time, so it follows restarts). */
  api(i: number, token: TokenName): Api;
  /** Every replica (SIGTERM, then SIGKILL), the proxy, moto, the database, the folder. */
  stop(): Promise<void>;
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const log = opts.log;
  const cleanup: { name: string; run: () => Promise<unknown> }[] = [];
  const unwind = async () => {
    const errors: unknown[] = [];
    for (const step of cleanup.reverse()) {
      await bounded(`teardown ${step.name}`, 20_000, step.run(), log).catch((e: unknown) => errors.push(e));
    }
    cleanup.length = 0;
    if (errors.length)
      throw new AggregateError(errors, `cluster ${opts.name}: ${errors.length} teardown step(s) failed`);
  };
  try {
    const dir = mkdtempSync(path.join(os.tmpdir(), `capstan-${opts.name}-`));
    cleanup.push({ name: "folder", run: async () => rmSync(dir, { recursive: true, force: true }) });
    const moto = await bounded("start moto", 40_000, startMoto(), log);
    cleanup.push({ name: "moto", run: () => moto.stop() });
    await bounded("seed moto", 60_000, opts.seed(moto.url), log);
    const proxy = await startAwsProxy(moto.url);
    cleanup.push({ name: "proxy", run: () => proxy.stop() });
    const db = await bounded("create database", 20_000, createTestDatabase(opts.name), log);
    cleanup.push({ name: `database ${db.name}`, run: () => db.drop() });

    const tokens = Object.fromEntries(
      Object.keys(TOKEN_ROLES).map((k) => [k, `cap_${opts.name}_${k}_${randomBytes(18).toString("hex")}`]),
    ) as Record<TokenName, string>;
    const actor = (t: TokenName) => `${opts.name}-${t}`;
    const cfg = {
      ...opts.config,
      auth: {
        ...opts.config.auth,
        mode: "tokens" as const,
        tokens: (Object.keys(TOKEN_ROLES) as TokenName[]).map((t) => ({
          name: actor(t),
          role: TOKEN_ROLES[t],
          sha256: sha256Hex(tokens[t]),
        })),
      },
    };
    // Signed-out health says only ok/degraded; the start-up checks read the details as a viewer.
    const viewerAuth = { Authorization: `Bearer ${tokens.viewer}` };
    const configFile = path.join(dir, "fleet.config.yaml");
    writeFileSync(configFile, `# written by e2e/replicas/cluster.ts\n${JSON.stringify(cfg, null, 2)}\n`);

    const sessionSecret = randomBytes(36).toString("base64");
    const ports: number[] = [];
    for (let i = 0; i < opts.replicas; i++) {
      let p = await freePort();
      while (ports.includes(p)) p = await freePort();
      ports.push(p);
    }
    const env = {
      ...motoEnv(proxy.url),
      CAPSTAN_DATABASE_URL: db.url,
      CAPSTAN_SESSION_SECRET: sessionSecret,
      ...opts.env,
    };
    const spawnReplica = (i: number) => {
      const dataDir = path.join(dir, `replica-${i + 1}`);
      mkdirSync(dataDir, { recursive: true });
      return startStandalone({ name: `replica-${i + 1}`, port: ports[i]!, config: configFile, dataDir, env });
    };
    const replicas: StandaloneServer[] = [];
    cleanup.push({ name: "replicas", run: () => Promise.all(replicas.map((r) => r.stop())) });
    // All at the same moment, on the empty database: migrations race, as in a real rollout.
    for (let i = 0; i < opts.replicas; i++) replicas.push(spawnReplica(i));
    const timeout = opts.healthTimeoutMs ?? 90_000;
    const startupHealth = await bounded(
      `${opts.replicas} replicas healthy`,
      timeout + 10_000,
      Promise.all(replicas.map((r) => waitHealthy(r, timeout, viewerAuth))),
      log,
    );

    const api = (i: number, token: TokenName): Api => {
      const call = async <T>(
        method: "GET" | "POST",
        p: string,
        data?: unknown,
        signal?: AbortSignal,
      ): Promise<ApiReply<T>> => {
        const r = replicas[i]!;
        const res = await fetch(`${r.url}${p}`, {
          method,
          headers: {
            authorization: `Bearer ${tokens[token]}`,
            accept: "application/json",
            ...(method === "POST" ? { origin: r.url, "content-type": "application/json" } : {}),
          },
          body: data === undefined ? undefined : JSON.stringify(data),
          redirect: "manual",
          signal,
        });
        const text = await res.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: keep the text for the failure message
        }
        return { status: res.status, body: body as T };
      };
      return {
        get: (p, signal) => call("GET", p, undefined, signal),
        post: (p, data, signal) => call("POST", p, data, signal),
      };
    };

    return {
      moto,
      proxy,
      db,
      dir,
      configFile,
      tokens,
      actor,
      replicas,
      startupHealth,
      async restart(i) {
        await replicas[i]!.stop();
        replicas[i] = spawnReplica(i);
        return waitHealthy(replicas[i]!, timeout, viewerAuth);
      },
      api,
      stop: unwind,
    };
  } catch (err) {
    await unwind().catch(() => undefined);
    throw err;
  }
}
