import { describe, expect, it } from "vitest";
import { withLocalLock } from "./local-lock";

describe("withLocalLock", () => {
  it("runs changes to one group one after another, other groups in parallel, and survives a failure", async () => {
    const log: string[] = [];
    const step =
      (name: string, ms: number, fail = false) =>
      async () => {
        log.push(`${name} start`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`${name} end`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      withLocalLock("us-east-1/app", step("a1", 20, true)),
      withLocalLock("us-east-1/app", step("a2", 1)),
      withLocalLock("us-west-2/app", step("b", 1)),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
    expect(log.indexOf("a2 start")).toBeGreaterThan(log.indexOf("a1 end"));
    expect(log.indexOf("b end")).toBeLessThan(log.indexOf("a1 end"));
  });
});
