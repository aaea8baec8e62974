import { spawnSync } from "node:child_process";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { identityFromBearer } from "@/lib/auth/tokens";
import { configWithAuth } from "@/test/support/auth/config";

const run = (...args: string[]) =>
  spawnSync(process.execPath, ["scripts/token.mjs", ...args], { encoding: "utf8" });

describe("npm run token", () => {
  it("prints a new token and the configuration line that makes it work", () => {
    const out = run("ci-bot", "operator");
    expect(out.status).toBe(0);
    const [token, line, ...rest] = out.stdout.trimEnd().split("\n");
    expect(rest).toEqual([]);
    expect(token).toMatch(/^cap_[A-Za-z0-9_-]{43}$/);
    expect(line).toMatch(/^- \{ name: ci-bot, role: operator, sha256: [0-9a-f]{64} \}$/);
    expect(out.stdout).not.toContain("sha256: " + token); // only the hash goes into the file
    expect(out.stderr).toContain("not shown again");

    const entries = parseYaml(line!) as unknown[];
    const cfg = configWithAuth({ mode: "tokens", tokens: entries });
    expect(identityFromBearer(`Bearer ${token}`, cfg)).toEqual({
      name: "ci-bot",
      role: "operator",
      source: "token",
      scope: undefined,
    });
  });

  it("never prints the same token twice", () => {
    expect(run("a", "viewer").stdout.split("\n")[0]).not.toBe(run("a", "viewer").stdout.split("\n")[0]);
  });

  it.each([
    [["ci-bot"], "expected exactly two arguments"],
    [["ci-bot", "root"], 'role "root": expected one of viewer, operator, admin'],
    [["ci bot: x", "admin"], "use letters, digits"],
  ])("refuses %j", (args, message) => {
    const out = run(...args);
    expect(out.status).toBe(2);
    expect(out.stdout).toBe("");
    expect(out.stderr).toContain(message);
  });
});
