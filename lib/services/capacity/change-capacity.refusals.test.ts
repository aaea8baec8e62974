import { describe, expect, it, vi } from "vitest";

// The real backend factory is never used here: every test passes its own fake.
vi.mock("@/lib/backends", async () => (await import("@/test/support/services/change-harness")).backendsMock);

import { changeCapacity, authorizeChange } from "./change-capacity";
import { cancelRevert, extendRevert } from "../revert-actions";
import { FIELD_CAPS } from "../refusals";
import {
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  ValidationError,
} from "@/lib/errors";
import { REFUSALS_PER_MINUTE } from "../refusal-limit";
import { APP, changeHarness } from "@/test/support/services/change-harness";
import { operator, viewer } from "@/test/support/services/fixtures";

// Refused attempts cannot flood the audit log (issue 12, security 3). Measured before: a viewer's
// 300 denied POSTs wrote 300 rows, and a POST to an unknown region wrote a row carrying it.

const h = changeHarness();
const { deps, body, failure, rows } = h;

describe("refused attempts and the audit log", () => {
  it("an unknown region or pool is a 404 and writes nothing, whoever asks", async () => {
    for (const who of [viewer, operator]) {
      for (const target of [
        { region: "xx-nowhere-9", pool: "zzz" },
        { region: "us-east-1", pool: "zzz" },
        { region: "xx-nowhere-9", pool: "app" },
      ]) {
        expect(
          await failure(changeCapacity(who, target, body(), deps())),
          `${who.name} ${target.region}/${target.pool}`,
        ).toBeInstanceOf(NotFoundError);
      }
    }
    expect(await rows()).toEqual([]);
  });

  it("a burst of 300 denied attempts writes at most the limit plus one summary row, then answers 429", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 300; i++) {
      const err = await failure(changeCapacity(viewer, APP, body(), deps()));
      statuses.push((err as ForbiddenError | RateLimitedError).status);
    }
    expect(statuses.slice(0, REFUSALS_PER_MINUTE).every((s) => s === 403)).toBe(true);
    expect(statuses.slice(REFUSALS_PER_MINUTE).every((s) => s === 429)).toBe(true);
    const written = await rows();
    expect(written).toHaveLength(REFUSALS_PER_MINUTE + 1);
    expect(written.filter((r) => r.errorCode === "RateLimited")).toHaveLength(1);
    expect(written.every((r) => r.actor === viewer.name && r.outcome === "denied")).toBe(true);

    // The next minute the viewer is heard again (and audited).
    h.clock += 60_000;
    expect(await failure(changeCapacity(viewer, APP, body(), deps()))).toBeInstanceOf(ForbiddenError);
    expect(await rows()).toHaveLength(REFUSALS_PER_MINUTE + 2);
  });

  it("someone else's flood never limits a legitimate change, nor does one's own", async () => {
    for (let i = 0; i < REFUSALS_PER_MINUTE + 5; i++)
      await failure(changeCapacity(viewer, APP, body(), deps()));
    const ok = await changeCapacity(operator, APP, body(), deps());
    expect(ok.record.outcome).toBe("succeeded");
    // An operator's own refusals past the limit are 429, but an allowed change still goes through.
    for (let i = 0; i < REFUSALS_PER_MINUTE + 2; i++)
      await failure(changeCapacity(operator, APP, body({ expectedDesired: 999 }), deps()));
    const again = await changeCapacity(operator, APP, body({ desired: 17, expectedDesired: 16 }), deps());
    expect(again.record.outcome).toBe("succeeded");
  });

  it("signed-out attempts are limited per client address (nothing is ever written for them)", async () => {
    const from = (addr: string) =>
      failure(authorizeChange(null, APP, undefined, { ...deps(), clientAddress: addr }));
    for (let i = 0; i < REFUSALS_PER_MINUTE; i++)
      expect(await from("203.0.113.7")).toBeInstanceOf(UnauthenticatedError);
    expect(await from("203.0.113.7")).toBeInstanceOf(RateLimitedError);
    expect(await from("198.51.100.2")).toBeInstanceOf(UnauthenticatedError); // another address
    expect(await rows()).toEqual([]);
  });

  it("caps every stored field of a refused attempt and escapes control characters", async () => {
    const long = "x".repeat(5000);
    const who = { ...viewer, name: `v${long}` };
    await failure(
      changeCapacity(
        who,
        APP,
        { reason: `evil\u001b[31m\u0000\u202e${long}`, idempotencyKey: long, desired: 1, expectedDesired: 1 },
        deps(),
      ),
    );
    const [row] = await rows();
    expect(row!.actor.length).toBeLessThanOrEqual(FIELD_CAPS.actor);
    expect(row!.reason!.length).toBeLessThanOrEqual(FIELD_CAPS.reason);
    expect(row!.idempotencyKey!.length).toBeLessThanOrEqual(FIELD_CAPS.idempotencyKey);
    expect(row!.reason).not.toMatch(/[\u0000-\u001f\u202e]/);
    expect(row!.reason).toContain("\\u001b");
  });

  it("a denied revert of an unknown pool is a 404 without a row too; a known one is audited", async () => {
    expect(
      await failure(cancelRevert(viewer, { region: "us-east-1", pool: "evil\u202epool" }, deps())),
    ).toBeInstanceOf(NotFoundError);
    expect(
      await failure(
        extendRevert(viewer, { region: "xx-nowhere-9", pool: "app" }, { revertAfterMinutes: 5 }, deps()),
      ),
    ).toBeInstanceOf(NotFoundError);
    expect(await rows()).toEqual([]);
    expect(await failure(cancelRevert(viewer, APP, deps()))).toBeInstanceOf(ForbiddenError);
    expect(await rows()).toHaveLength(1);
  });

  it("refuses a reason carrying NUL, ANSI escapes or bidi controls (400); line breaks are fine", async () => {
    for (const reason of ["ok\u0000reason", "red \u001b[31malert", "rtl \u202eevil", "zero\u200bwidth"]) {
      const err = await failure(changeCapacity(operator, APP, body({ reason }), deps()));
      expect(err, JSON.stringify(reason)).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).fields.reason).toMatch(/control characters/);
    }
    expect(
      (await changeCapacity(operator, APP, body({ reason: "two lines\nof reason" }), deps())).record.outcome,
    ).toBe("succeeded");
  });
});
