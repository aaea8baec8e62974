import { ConfigError, type Env } from "./load";
import type { FleetConfig } from "./schema";
import { albKeyBaseUrl } from "./alb-keys";

export const MIN_SESSION_SECRET_CHARS = 32;

// Combinations that parse but must never serve. Checked when the configuration is first loaded
// (lib/config getConfig) and at server start (instrumentation.ts → lib/startup.ts), so the
// server refuses to start rather than run unsafe. Each message says what to change.

export function unsafeConfigProblems(cfg: FleetConfig, env: Env): string[] {
  const problems: string[] = [];
  const { mode, alb } = cfg.auth;

  if (mode === "dev" && cfg.backend === "aws") {
    problems.push(
      "auth.mode: dev is allowed only with backend: simulated (dev sign-in lets anyone pick any role). " +
        "With backend: aws use auth.mode: alb (sign-in through the load balancer) or tokens (API tokens only).",
    );
  }

  if (mode === "alb") {
    if (!alb) {
      problems.push(
        "auth.alb: required with auth.mode: alb (arns of the load balancers and roles: a group → role mapping)",
      );
    } else if (Object.keys(alb.roles).length === 0) {
      problems.push(
        "auth.alb.roles: map at least one group to a role (e.g. { ops-admins: admin, ops: operator, staff: viewer })",
      );
    }
  }
  alb?.arns.forEach((arn, i) => {
    try {
      albKeyBaseUrl(arn);
    } catch (e) {
      problems.push(`auth.alb.arns[${i}]: ${(e as Error).message}`);
    }
  });

  if (mode === "tokens" && cfg.auth.tokens.length === 0) {
    problems.push(
      "auth.tokens: auth.mode: tokens needs at least one token (create one with `npm run token -- <name> <role>`)",
    );
  }

  const secret = env.CAPSTAN_SESSION_SECRET;
  if (secret === undefined || secret === "") {
    if (mode !== "dev") {
      problems.push(
        `CAPSTAN_SESSION_SECRET: required with auth.mode: ${mode} (at least ${MIN_SESSION_SECRET_CHARS} random characters, e.g. \`openssl rand -base64 48\`)`,
      );
    }
  } else if (secret.length < MIN_SESSION_SECRET_CHARS) {
    problems.push(
      `CAPSTAN_SESSION_SECRET: must be at least ${MIN_SESSION_SECRET_CHARS} characters (it has ${secret.length})`,
    );
  }

  // The key server decides who can sign in as whom: a test-only setting must not reach a real
  // deployment. E2E tests run a production build (`next start` sets NODE_ENV=production) against
  // a local key server, hence the explicit, loud escape hatch.
  if (alb?.testKeyBaseUrl && env.NODE_ENV === "production" && env.CAPSTAN_ALLOW_TEST_KEYS !== "1") {
    problems.push(
      "auth.alb.testKeyBaseUrl: test-only, refused in production (whoever serves those keys can sign in as anyone, with any role). " +
        "Remove it; only an end-to-end test of a production build may set CAPSTAN_ALLOW_TEST_KEYS=1.",
    );
  }
  return problems;
}

export function configFileName(env: Env): string {
  return env.CAPSTAN_CONFIG || "fleet.config.yaml";
}

/** Throws a ConfigError (file: problem, one per line) when the configuration is unsafe. */
export function assertSafeConfig(cfg: FleetConfig, env: Env, file = configFileName(env)): void {
  const problems = unsafeConfigProblems(cfg, env);
  if (problems.length) throw new ConfigError(file, problems);
}
