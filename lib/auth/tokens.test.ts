import { beforeAll, describe, expect, it, vi } from "vitest";
import { UnauthenticatedError } from "@/lib/errors";
import { identityFromRequest } from "./current";
import { authorize } from "./roles";
import { createSessionToken } from "./session";
import { configWithAuth } from "@/test/support/auth/config";
import { sha256Hex } from "./tokens";

const BOT = "cap_6kY2vQm1nW8pX4rT7zL0aB3cD5eF9gH2jK4mN6pQ8sU";
const ADMIN = "cap_Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8Nn7Mm6Ll";
const tokens = [
  { name: "ci-bot", role: "operator", sha256: sha256Hex(BOT), scope: { pools: ["worker-*"] } },
  { name: "chatops", role: "admin", sha256: sha256Hex(ADMIN) },
];

const request = (
  h: Record<string, string>,
  mode: "dev" | "alb" | "tokens" = "tokens",
  list: unknown[] = tokens,
  cookie?: string,
) => identityFromRequest(new Headers(h), cookie, configWithAuth({ mode, tokens: list }));

// Sign test cookies with a fixed secret rather than creating data/session-secret.
beforeAll(() => vi.stubEnv("CAPSTAN_SESSION_SECRET", "test-secret-test-secret-test-secret-0123"));

describe("API tokens", () => {
  it("the right token is its configured identity and role", async () => {
    const bot = await request({ authorization: `Bearer ${BOT}` });
    expect(bot).toEqual({
      name: "ci-bot",
      role: "operator",
      source: "token",
      scope: { pools: ["worker-*"] },
    });
    expect(authorize(bot, "capacity:change", { pool: "worker-email" }).name).toBe("ci-bot");
    expect((await request({ authorization: `bearer ${ADMIN}` }))?.role).toBe("admin");
  });

  it("work in every mode", async () => {
    for (const mode of ["dev", "alb", "tokens"] as const) {
      expect((await request({ authorization: `Bearer ${ADMIN}` }, mode))?.name).toBe("chatops");
    }
  });

  it.each([
    ["a wrong token", { authorization: `Bearer ${BOT.slice(0, -1)}x` }],
    ["a missing scheme", { authorization: BOT }],
    ["another scheme", { authorization: `Basic ${BOT}` }],
    ["an empty bearer", { authorization: "Bearer " }],
    ["no header at all", {}],
  ])("%s is 401", async (_, h) => {
    const id = await request(h);
    expect(id).toBeNull();
    expect(() => authorize(id, "fleet:read")).toThrow(UnauthenticatedError);
  });

  it("a revoked token (removed from the configuration) is 401", async () => {
    expect(await request({ authorization: `Bearer ${BOT}` })).not.toBeNull();
    const revoked = await request({ authorization: `Bearer ${BOT}` }, "tokens", tokens.slice(1));
    expect(() => authorize(revoked, "fleet:read")).toThrow(UnauthenticatedError);
  });

  it("a bad token never falls back to the session cookie", async () => {
    const cookie = await createSessionToken({ name: "dev-user", role: "admin", source: "dev" }, 1);
    expect((await request({}, "dev", tokens, cookie))?.name).toBe("dev-user");
    expect(
      await request({ authorization: "Bearer not-a-real-token-at-all" }, "dev", tokens, cookie),
    ).toBeNull();
    // tokens mode has no browser sign-in at all
    expect(await request({}, "tokens", tokens, cookie)).toBeNull();
  });
});
