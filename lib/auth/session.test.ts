import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { cookieOptions, createSessionToken, readSessionToken } from "./session";

beforeAll(() => vi.stubEnv("CAPSTAN_SESSION_SECRET", "session-test-secret-session-test-secret"));
afterEach(() => vi.useRealTimers());

const dev = {
  name: "lee",
  role: "operator" as const,
  source: "dev" as const,
  scope: { pools: ["worker-*"] },
};

describe("session cookies", () => {
  it("round-trip the dev identity", async () => {
    expect(await readSessionToken(await createSessionToken(dev, 1))).toEqual(dev);
  });

  it("a tampered cookie is signed out", async () => {
    const [h, p, s] = (await createSessionToken(dev, 1)).split(".");
    const admin = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(p!, "base64url").toString()), role: "admin" }),
    ).toString("base64url");
    expect(await readSessionToken(`${h}.${admin}.${s}`)).toBeNull();
    expect(await readSessionToken(`${h}.${p}.${s!.slice(0, -2)}AA`)).toBeNull();
    expect(await readSessionToken("not-a-jwt")).toBeNull();
  });

  it("an expired cookie is signed out", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2030-01-01T00:00:00Z"));
    const token = await createSessionToken(dev, 1);
    vi.setSystemTime(new Date("2030-01-01T00:59:00Z"));
    expect(await readSessionToken(token)).not.toBeNull();
    vi.setSystemTime(new Date("2030-01-01T01:00:01Z"));
    expect(await readSessionToken(token)).toBeNull();
  });

  it("only dev sign-in opens sessions", async () => {
    await expect(createSessionToken({ name: "ci", role: "admin", source: "token" }, 1)).rejects.toThrow(
      "only dev sign-in",
    );
    await expect(createSessionToken({ name: "ana", role: "admin", source: "alb" }, 1)).rejects.toThrow(
      "only dev sign-in",
    );
  });

  it("are HttpOnly, SameSite=Lax, expiring, and Secure except on plain-http localhost", () => {
    expect(cookieOptions("http://localhost:3000/api/session", 12)).toEqual({
      httpOnly: true,
      sameSite: "lax",
      secure: false,
      path: "/",
      maxAge: 43200,
    });
    expect(cookieOptions("http://127.0.0.1:3000/", 1).secure).toBe(false);
    expect(cookieOptions("https://capstan.example.com/", 1).secure).toBe(true);
    expect(cookieOptions("http://capstan.internal:3000/", 1).secure).toBe(true);
  });
});
