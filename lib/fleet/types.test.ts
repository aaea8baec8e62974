import { describe, expect, it } from "vitest";
import { BackendError } from "./types";

describe("BackendError", () => {
  it("is recognised across copies of the class (Next.js bundles modules per route)", async () => {
    const err = new BackendError("Throttling", "Rate exceeded", { regional: true });
    expect(err).toBeInstanceOf(BackendError);
    expect(err).toBeInstanceOf(Error);
    // A structurally separate copy, as another chunk would have: same brand, different class object.
    const specifier = "./types?copy";
    const copy = (await import(/* @vite-ignore */ specifier)) as typeof import("./types");
    expect(copy.BackendError).not.toBe(BackendError);
    expect(err instanceof copy.BackendError).toBe(true);
    expect(new Error("plain") instanceof BackendError).toBe(false);
    expect({ code: "X", message: "duck" } instanceof BackendError).toBe(false);
  });
});
