import { describe, expect, it } from "vitest";
import { StoreUnavailableError } from "@/lib/store";
import { AuditUnavailableError } from "@/lib/errors";
import { withGroupLock } from "./group-lock";

describe("withGroupLock", () => {
  it("a store that cannot lock refuses the change as 'audit unavailable', and the work never runs", async () => {
    const locks = {
      withLock: () => Promise.reject(new StoreUnavailableError("the database cannot be reached")),
    };
    let ran = false;
    await expect(
      withGroupLock(locks, "us-east-1", "app", async () => {
        ran = true;
      }),
    ).rejects.toBeInstanceOf(AuditUnavailableError);
    expect(ran).toBe(false);
  });
});
