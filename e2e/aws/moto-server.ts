// The "aws" Playwright project's webServer: the production build (the standalone server, as
// the container image runs it) with `backend: aws` against the moto emulator.
//   1. starts moto on a free loopback port and seeds it with the shared fleet (seedMotoFleet);
//   2. writes a configuration (backend: aws, auth.mode: tokens, one operator token) and the
//      emulator's URL for the spec (AWS_E2E_STATE_FILE);
//   3. runs `node .next/standalone/server.js` on <port> with AWS_ENDPOINT_URL and dummy credentials
//      in its environment, so the SDK finds moto through its own endpoint resolution, as a real
//      deployment would (paths absolute: the server changes into its own folder);
//   4. stops moto when the server exits or when Playwright stops it (SIGTERM / SIGINT).
// Usage: tsx e2e/aws/moto-server.ts [port]
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sha256Hex } from "@/lib/auth/tokens";
import { motoEnv, motoFleetConfig, seedMotoFleet, startMoto, type MotoServer } from "@/test/support/aws";
import { AWS_E2E_DATA_DIR, AWS_E2E_PORT, AWS_E2E_STATE_FILE, AWS_E2E_TOKEN, AWS_E2E_TOKEN_NAME } from "./env";

async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? AWS_E2E_PORT);
  const dataDir = path.resolve(AWS_E2E_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });

  const moto = await startMoto();
  let server: ChildProcess | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (server && server.exitCode === null && server.signalCode === null) server.kill("SIGTERM");
    await moto.stop().catch(() => undefined);
    process.exit(code);
  };
  process.on("SIGTERM", () => void stop(0));
  process.on("SIGINT", () => void stop(0));

  try {
    await seedMotoFleet(moto.url);
    const configFile = writeConfig(dataDir);
    writeFileSync(AWS_E2E_STATE_FILE, JSON.stringify({ url: moto.url }));
    console.error(`capstan e2e (aws): moto ${moto.url} seeded; config ${configFile}`);
    server = spawn(process.execPath, [path.resolve(".next/standalone/server.js")], {
      stdio: ["ignore", "inherit", "inherit"],
      env: {
        ...process.env,
        ...motoEnv(moto.url),
        PORT: String(port),
        HOSTNAME: "127.0.0.1",
        CAPSTAN_CONFIG: configFile,
        CAPSTAN_DATA_DIR: dataDir,
        CAPSTAN_SESSION_SECRET: randomBytes(36).toString("base64"),
      },
    });
    server.on("exit", (code, signal) => void stop(code ?? (signal ? 1 : 0)));
  } catch (err) {
    console.error(`capstan e2e (aws): ${err instanceof Error ? err.stack : String(err)}`);
    await stopMoto(moto);
    process.exit(1);
  }
}

/** The shared moto fleet's configuration, with one operator token; JSON is valid YAML. */
function writeConfig(dataDir: string): string {
  const cfg = motoFleetConfig({
    mode: "tokens",
    tokens: [{ name: AWS_E2E_TOKEN_NAME, role: "operator", sha256: sha256Hex(AWS_E2E_TOKEN) }],
  });
  const file = path.join(dataDir, "fleet.config.yaml");
  writeFileSync(file, `# written by e2e/aws/moto-server.ts\n${JSON.stringify(cfg, null, 2)}\n`);
  return file;
}

async function stopMoto(moto: MotoServer): Promise<void> {
  await moto.stop().catch(() => undefined);
}

void main();
