import { describe, expect, it, vi } from "vitest";

// The real backend factory is never used here: every test passes its own fake.
vi.mock("@/lib/backends", async () => (await import("@/test/support/services/change-harness")).backendsMock);

import { BackendError } from "@/lib/fleet/types";
import { changeCapacity } from "./change-capacity";
import { ConflictError, IdempotencyMismatchError, OutcomePendingError, UpstreamError } from "@/lib/errors";
import { APP, changeHarness } from "@/test/support/services/change-harness";
import { operator } from "@/test/support/services/fixtures";

// changeCapacity's idempotency key: double and concurrent submits make one change, a key reused
// with another body is refused, and a key is taken by a failure but not by a rejection.

const h = changeHarness();
const { deps, body, failure, rows } = h;

describe("changeCapacity: idempotency", () => {
  it("a retry after a crash does not report success: pending or unknown outcomes answer 409 'not known yet'", async () => {
    const b = body();
    // The first attempt's process died after writing its intent: the row stays pending.
    const { record } = await h.store.recordIntent({
      ...(await import("./change-audit")).baseRecord(operator, APP, b as never, "tave-prod-app", h.now()),
      from: 12,
    });
    const err = await failure(changeCapacity(operator, APP, { ...b }, deps()));
    expect(err).toBeInstanceOf(OutcomePendingError);
    expect((err as OutcomePendingError).status).toBe(409);
    expect(err.message).toMatch(/the first attempt's outcome is not known yet/i);
    expect((err as OutcomePendingError).body()).toEqual({ auditId: record.id, outcome: "pending" });
    expect(h.backend.writes).toHaveLength(0); // nothing sent again

    // Reconciliation could not tell: unknown is not a success either.
    await h.store.recordOutcome(record.id, {
      outcome: "unknown",
      completedAt: h.now().toISOString(),
      note: "no trace",
    });
    const again = await failure(changeCapacity(operator, APP, { ...b }, deps()));
    expect((again as OutcomePendingError).body()).toEqual({ auditId: record.id, outcome: "unknown" });
    expect(h.backend.writes).toHaveLength(0);
  });

  it("a double submit makes one change and returns the same record", async () => {
    const b = body();
    const first = await changeCapacity(operator, APP, b, deps());
    const second = await changeCapacity(operator, APP, { ...b }, deps());
    expect(h.backend.writes).toHaveLength(1);
    expect(second.record.id).toBe(first.record.id);
    expect(second.record.outcome).toBe("succeeded");
    expect(second.replayed).toBe(true);
    expect(second.pool?.desired).toBe(16);
    expect(await rows()).toHaveLength(1);
  });

  it("looks the idempotency key up once per request", async () => {
    const lookups = vi.spyOn(h.store, "findIntent");
    const b = body();
    await changeCapacity(operator, APP, b, deps());
    expect(lookups).toHaveBeenCalledTimes(1);
    await changeCapacity(operator, APP, { ...b }, deps());
    expect(lookups).toHaveBeenCalledTimes(2);
  });

  it("two concurrent submits with one key make one change", async () => {
    const b = body();
    const [a, c] = await Promise.all([
      changeCapacity(operator, APP, b, deps()),
      changeCapacity(operator, APP, { ...b }, deps()),
    ]);
    expect(h.backend.writes).toHaveLength(1);
    expect(a.record.id).toBe(c.record.id);
    expect([a.replayed, c.replayed].sort()).toEqual([false, true]);
  });

  it("a double submit arriving while its twin is still reading waits for it and replays instead of a 409", async () => {
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    let calls = 0;
    h.backend.beforeRead = async () => {
      if (calls++ === 0) await hold; // the first click's read is slow
    };
    const b = body();
    const first = changeCapacity(operator, APP, b, deps());
    await vi.waitFor(() => expect(h.backend.reads).toBe(1));
    const second = changeCapacity(operator, APP, { ...b }, deps());
    release();
    const [one, two] = await Promise.all([first, second]);
    expect(one.replayed).toBe(false);
    expect(two.replayed).toBe(true);
    expect(two.record.id).toBe(one.record.id);
    expect(h.backend.group("us-east-1", "tave-prod-app").desired).toBe(16);
    expect(h.backend.writes).toHaveLength(1);
    expect(await rows()).toHaveLength(1);
  });

  it("a repeat while the first is still in flight waits for it and replays its settled outcome (never 'pending' as success)", async () => {
    let open!: () => void;
    h.backend.gate = new Promise<void>((r) => (open = r));
    const b = body();
    const first = changeCapacity(operator, APP, b, deps());
    await vi.waitFor(() => expect(h.backend.writes).toHaveLength(1));
    const second = changeCapacity(operator, APP, { ...b }, deps());
    open();
    expect((await first).record.outcome).toBe("succeeded");
    const replayed = await second;
    expect(replayed.record.outcome).toBe("succeeded");
    expect(replayed.replayed).toBe(true);
    expect(h.backend.writes).toHaveLength(1);
  });

  it("the same key with another body is a 422 and nothing is written", async () => {
    const b = body();
    await changeCapacity(operator, APP, b, deps());
    const err = await failure(
      changeCapacity(operator, APP, { ...b, desired: 17, expectedDesired: 16 }, deps()),
    );
    expect(err).toBeInstanceOf(IdempotencyMismatchError);
    expect((err as IdempotencyMismatchError).status).toBe(422);
    expect(h.backend.writes).toHaveLength(1);
  });

  it("the same key for another pool is a 422 too", async () => {
    const b = body();
    await changeCapacity(operator, APP, b, deps());
    const err = await failure(changeCapacity(operator, { region: "us-west-2", pool: "app" }, b, deps()));
    expect(err).toBeInstanceOf(IdempotencyMismatchError);
  });

  it("a repeated key after a failure returns the same failure without calling again", async () => {
    h.backend.nextWriteError = new BackendError(
      "ScalingActivityInProgress",
      "Scaling activity 1234 is in progress and blocks this action",
      { httpStatus: 400, requestId: "aws-1" },
    );
    const b = body();
    const first = await failure(changeCapacity(operator, APP, b, deps()));
    const again = await failure(changeCapacity(operator, APP, b, deps()));
    expect(h.backend.writes).toHaveLength(1);
    expect(again).toBeInstanceOf(UpstreamError);
    expect((again as UpstreamError).code).toBe("ScalingActivityInProgress");
    expect(again.message).toBe(first.message);
  });

  it("a rejected attempt (409) does not take the key: the retry after review goes through", async () => {
    h.backend.setDesired("us-east-1", "tave-prod-app", 14);
    const b = body({ desired: 16, expectedDesired: 12 });
    expect(await failure(changeCapacity(operator, APP, b, deps()))).toBeInstanceOf(ConflictError);
    const res = await changeCapacity(operator, APP, { ...b, expectedDesired: 14 }, deps());
    expect(res.record.outcome).toBe("succeeded");
  });

  it("two operators who saw the same value change it at once: one change lands, the other gets 409 (none is lost)", async () => {
    const [a, b] = await Promise.allSettled([
      changeCapacity(operator, APP, body({ desired: 16 }), deps()),
      changeCapacity({ ...operator, name: "omar" }, APP, body({ desired: 14 }), deps()),
    ]);
    expect(h.backend.writes).toHaveLength(1);
    expect(a.status).toBe("fulfilled");
    expect(b.status).toBe("rejected");
    expect((b as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    expect((b as PromiseRejectedResult).reason.current.desired).toBe(16);
  });
});
