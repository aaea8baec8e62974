import "server-only";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { describeIssues } from "@/lib/validation";
import { configSchema, type FleetConfig } from "./schema";
import { generatedPools } from "./generated-pools";

/** Start-up stops with this: the file, the field path and the problem. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(problems.map((p) => `${file}: ${p}`).join("\n"));
    this.name = "ConfigError";
  }
}

export type Env = Record<string, string | undefined>;

/** Parse and validate configuration text. `env` overrides documented keys. */
export function parseConfig(text: string, file: string, env: Env = {}): FleetConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? `line ${e.linePos[0].line}: ` : "";
    throw new ConfigError(file, [`${where}not valid YAML (${(e as Error).message.split("\n")[0]})`]);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError(file, ["(root): expected a mapping of configuration keys"]);
  }
  const doc = raw as Record<string, unknown>;
  if (env.CAPSTAN_AUTH_MODE) {
    doc.auth = { ...(doc.auth as object | undefined), mode: env.CAPSTAN_AUTH_MODE };
  }
  if (env.CAPSTAN_SIM_WARMUP_SECONDS !== undefined) {
    const n = Number(env.CAPSTAN_SIM_WARMUP_SECONDS);
    if (!Number.isInteger(n) || n < 0) {
      throw new ConfigError(file, [
        `CAPSTAN_SIM_WARMUP_SECONDS: expected a whole number of seconds, got "${env.CAPSTAN_SIM_WARMUP_SECONDS}"`,
      ]);
    }
    doc.simulation = { ...(doc.simulation as object | undefined), warmupSeconds: n };
  }
  const result = configSchema.safeParse(doc);
  if (!result.success) throw new ConfigError(file, describeIssues(result.error));
  const cfg = result.data;

  const extra = env.CAPSTAN_SIM_EXTRA_POOLS;
  if (extra !== undefined && extra !== "" && extra !== "0") {
    const n = Number(extra);
    if (!Number.isInteger(n) || n < 0 || n > 5000) {
      throw new ConfigError(file, [
        `CAPSTAN_SIM_EXTRA_POOLS: expected a whole number 0-5000, got "${extra}"`,
      ]);
    }
    if (cfg.backend !== "simulated") {
      throw new ConfigError(file, ["CAPSTAN_SIM_EXTRA_POOLS: only allowed with backend: simulated"]);
    }
    cfg.pools.push(...generatedPools(n, cfg.regions));
  }
  return cfg;
}

export function configPath(env: Env): string {
  return path.resolve(/*turbopackIgnore: true*/ env.CAPSTAN_CONFIG || "fleet.config.yaml");
}

export function loadConfigFile(env: Env): FleetConfig {
  const file = configPath(env);
  const shown = env.CAPSTAN_CONFIG || "fleet.config.yaml";
  let text: string;
  try {
    text = readFileSync(/*turbopackIgnore: true*/ file, "utf8");
  } catch (e) {
    throw new ConfigError(shown, [
      `cannot read the configuration file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    ]);
  }
  return parseConfig(text, shown, env);
}
