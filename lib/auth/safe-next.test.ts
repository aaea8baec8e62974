import { describe, expect, it } from "vitest";
import { safeNext } from "./safe-next";

/** Every hostile form ends at "/" (e2e/sim/login-next.spec.ts checks the same in Chromium). */
const HOSTILE_NEXT = [
  "//evil.example",
  "/\\evil.example",
  "/\t/evil.example",
  "/./\u002f/evil.example",
  "/.//evil.example",
  "/..//evil.example",
  "/a/..//evil.example",
  "/./\\evil.example",
  "\\\\evil.example",
  "https://evil.example/",
  "http:evil.example",
  "javascript:alert(1)",
  "///evil.example",
  "/.%2F/evil.example/../..//evil.example",
  " //evil.example",
  "/\n/evil.example",
  "//evil.example/%2e%2e",
  "data:text/html,hi",
];

describe("safeNext (where sign-in returns to)", () => {
  it.each([
    ["/standby", "/standby"],
    ["/pools/us-east-1/app?range=7d", "/pools/us-east-1/app?range=7d"],
    ["/audit#top", "/audit#top"],
    ["/%2F/evil.example", "/%2F/evil.example"], // an encoded slash is a path segment, not a host
    ["/%5Cevil.example", "/%5Cevil.example"],
    ["/%09/evil.example", "/%09/evil.example"],
    [undefined, "/"],
    [["/a", "/b"], "/"],
  ])("%j → %s", (next, expected) => {
    expect(safeNext(next as string | string[] | undefined)).toBe(expected);
  });

  it.each(HOSTILE_NEXT)("%j → / (never another host)", (next) => {
    expect(safeNext(next)).toBe("/");
  });

  it("every answer resolves to this origin in a URL parser", () => {
    for (const next of HOSTILE_NEXT) {
      expect(new URL(safeNext(next), "https://capstan.example").origin).toBe("https://capstan.example");
    }
  });
});
