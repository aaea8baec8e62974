import { describe, expect, it } from "vitest";
import { safeNext } from "./safe-next";

describe("safeNext (where sign-in returns to)", () => {
  it.each([
    ["/standby", "/standby"],
    ["/pools/us-east-1/app?range=7d", "/pools/us-east-1/app?range=7d"],
    ["//evil.example", "/"],
    ["/\\evil.example", "/"],
    ["/\t/evil.example", "/"],
    ["https://evil.example/", "/"],
    ["javascript:alert(1)", "/"],
    [undefined, "/"],
    [["/a", "/b"], "/"],
  ])("%j → %s", (next, expected) => {
    expect(safeNext(next as string | string[] | undefined)).toBe(expected);
  });
});
