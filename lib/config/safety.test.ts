import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConfigError, getConfig, setConfigForTests } from "@/lib/config";
import { checkStartup, startOrExit } from "@/lib/startup";
import { shippedConfigText } from "@/test/support/config";

// Start-up refusals: each unsafe combination stops the server with its own message.

const shipped = shippedConfigText();
const dir = mkdtempSync(path.join(tmpdir(), "capstan-startup-"));
const SECRET = "s".repeat(32);
const ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/capstan/50dc6c495c0c9188";
const IDP = `issuer: "https://idp.example.com", clientId: capstan`;
const ALB = `{ arns: ["${ARN}"], roles: { ops: operator }, ${IDP} }`;

let n = 0;
/** The shipped file with another auth block (and optionally backend: aws), as CAPSTAN_CONFIG. */
function configFile(auth: string, backend = "simulated"): Record<string, string> {
  const text = shipped
    .replace("backend: simulated", `backend: ${backend}`)
    .replace(/^auth:\n(?: {2}.*\n)+/m, `auth: ${auth}\n`);
  expect(text).toContain(`auth: ${auth}`);
  const file = path.join(dir, `fleet-${++n}.yaml`);
  writeFileSync(file, text);
  return { CAPSTAN_CONFIG: file };
}

function refusal(env: Record<string, string | undefined>): string {
  const exit = vi.fn((code: number): never => {
    throw new Error(`exit ${code}`);
  });
  const error = vi.spyOn(console, "error").mockImplementation(() => {});
  expect(() => startOrExit(env, exit)).toThrow("exit 1");
  expect(exit).toHaveBeenCalledWith(1);
  return String(error.mock.lastCall?.[0]);
}

beforeEach(() => setConfigForTests(undefined));
afterEach(() => {
  setConfigForTests(undefined);
  vi.restoreAllMocks();
});

describe("start-up", () => {
  it("starts with the shipped configuration (dev sign-in, simulated backend, no secret needed)", () => {
    expect(checkStartup({}).auth.mode).toBe("dev");
  });

  it("refuses a malformed configuration, naming the file, the field and the problem", () => {
    const file = path.join(dir, "broken.yaml");
    writeFileSync(file, shipped.replace("tier: worker", "tier: wroker"));
    const msg = refusal({ CAPSTAN_CONFIG: file });
    expect(msg).toContain("capstan: refusing to start.");
    expect(msg).toContain(`${file}: pools[3].tier: expected one of web, worker, infra`);
    expect(refusal({ CAPSTAN_CONFIG: path.join(dir, "missing.yaml") })).toMatch(
      /missing\.yaml: cannot read the configuration file \(ENOENT\)/,
    );
  });

  it("refuses dev sign-in with backend: aws", () => {
    expect(refusal(configFile("{ mode: dev }", "aws"))).toContain(
      "auth.mode: dev is allowed only with backend: simulated (dev sign-in lets anyone pick any role). With backend: aws use auth.mode: alb",
    );
    // …also when the mode comes from CAPSTAN_AUTH_MODE
    expect(
      refusal({
        ...configFile(`{ mode: alb, alb: ${ALB} }`, "aws"),
        CAPSTAN_SESSION_SECRET: SECRET,
        CAPSTAN_AUTH_MODE: "dev",
      }),
    ).toContain("auth.mode: dev is allowed only with backend: simulated");
  });

  it("refuses alb sign-in without load balancers or without a role mapping", () => {
    const env = { CAPSTAN_SESSION_SECRET: SECRET };
    expect(refusal({ ...configFile("{ mode: alb }"), ...env })).toContain(
      "auth.alb: required with auth.mode: alb (arns of the load balancers and roles",
    );
    expect(refusal({ ...configFile("{ mode: dev }"), ...env, CAPSTAN_AUTH_MODE: "alb" })).toContain(
      "auth.alb: required with auth.mode: alb",
    );
    expect(
      refusal({ ...configFile(`{ mode: alb, alb: { arns: [], roles: { ops: admin }, ${IDP} } }`), ...env }),
    ).toContain("auth.alb.arns: must have at least 1 item(s)");
    expect(
      refusal({ ...configFile(`{ mode: alb, alb: { arns: ["${ARN}"], roles: {}, ${IDP} } }`), ...env }),
    ).toContain("auth.alb.roles: map at least one group to a role");
    expect(
      refusal({
        ...configFile(
          `{ mode: alb, alb: { arns: ["${ARN.replace("app/", "app/x/y/")}"], roles: { a: admin }, ${IDP} } }`,
        ),
        ...env,
      }),
    ).toContain("auth.alb.arns[0]: not an Application Load Balancer ARN");
  });

  it("refuses alb sign-in without the IdP's issuer or the OIDC client id, naming the missing field", () => {
    const env = { CAPSTAN_SESSION_SECRET: SECRET };
    expect(
      refusal({
        ...configFile(
          `{ mode: alb, alb: { arns: ["${ARN}"], roles: { ops: operator }, clientId: capstan } }`,
        ),
        ...env,
      }),
    ).toContain("auth.alb.issuer: required");
    expect(
      refusal({
        ...configFile(
          `{ mode: alb, alb: { arns: ["${ARN}"], roles: { ops: operator }, issuer: "https://idp.example.com" } }`,
        ),
        ...env,
      }),
    ).toContain("auth.alb.clientId: required");
    expect(checkStartup({ ...configFile(`{ mode: alb, alb: ${ALB} }`), ...env }).auth.alb).toMatchObject({
      issuer: "https://idp.example.com",
      clientId: "capstan",
    });
  });

  it("refuses a missing or short session secret outside dev sign-in", () => {
    expect(refusal(configFile(`{ mode: alb, alb: ${ALB} }`))).toContain(
      "CAPSTAN_SESSION_SECRET: required with auth.mode: alb (at least 32 random characters",
    );
    const tokens = `{ mode: tokens, tokens: [{ name: ci, role: viewer, sha256: "${"a".repeat(64)}" }] }`;
    expect(refusal({ ...configFile(tokens), CAPSTAN_SESSION_SECRET: "" })).toContain(
      "CAPSTAN_SESSION_SECRET: required with auth.mode: tokens",
    );
    expect(refusal({ ...configFile(tokens), CAPSTAN_SESSION_SECRET: "too-short" })).toContain(
      "CAPSTAN_SESSION_SECRET: must be at least 32 characters (it has 9)",
    );
    // a secret that is set is checked in dev mode too
    expect(refusal({ CAPSTAN_SESSION_SECRET: "short" })).toContain(
      "CAPSTAN_SESSION_SECRET: must be at least 32 characters",
    );
    expect(checkStartup({ ...configFile(tokens), CAPSTAN_SESSION_SECRET: SECRET }).auth.mode).toBe("tokens");
  });

  it("refuses tokens mode without any token", () => {
    expect(refusal({ ...configFile("{ mode: tokens }"), CAPSTAN_SESSION_SECRET: SECRET })).toContain(
      "auth.tokens: auth.mode: tokens needs at least one token",
    );
  });

  it("refuses the test-only key server in production unless explicitly allowed", () => {
    const env = {
      ...configFile(
        `{ mode: alb, alb: { arns: ["${ARN}"], roles: { ops: operator }, ${IDP}, testKeyBaseUrl: "http://127.0.0.1:9999/keys" } }`,
      ),
      CAPSTAN_SESSION_SECRET: SECRET,
    };
    expect(refusal({ ...env, NODE_ENV: "production" })).toContain(
      "auth.alb.testKeyBaseUrl: test-only, refused in production",
    );
    expect(checkStartup({ ...env, NODE_ENV: "test" }).auth.alb?.testKeyBaseUrl).toBe(
      "http://127.0.0.1:9999/keys",
    );
    setConfigForTests(undefined);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(checkStartup({ ...env, NODE_ENV: "production", CAPSTAN_ALLOW_TEST_KEYS: "1" }).auth.mode).toBe(
      "alb",
    );
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("auth.alb.testKeyBaseUrl is set"));
  });

  it("getConfig applies the same refusals wherever the configuration is first loaded", () => {
    const env = configFile("{ mode: dev }", "aws");
    expect(() => getConfig(env)).toThrow(ConfigError);
    expect(() => getConfig(env)).toThrow(
      /fleet-\d+\.yaml: auth\.mode: dev is allowed only with backend: simulated/,
    ); // not cached
  });
});
