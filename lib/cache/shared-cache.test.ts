import { describe, expect, it } from "vitest";
import { SharedCache } from "./shared-cache";

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe("SharedCache", () => {
  it("50 concurrent readers cause one upstream call (single-flight)", async () => {
    const cache = new SharedCache(() => 0);
    const gate = deferred<string>();
    let calls = 0;
    const readers = Array.from({ length: 50 }, () =>
      cache.get("groups:us-east-1", 15_000, () => (calls++, gate.promise)),
    );
    gate.resolve("fleet");
    const results = await Promise.all(readers);
    expect(calls).toBe(1);
    expect(cache.calls.get("groups")).toBe(1);
    expect(results.every((r) => r.value === "fleet" && !r.stale)).toBe(true);
  });

  it("serves from cache inside the window and goes upstream after it", async () => {
    const clock = { t: 1_000 };
    const cache = new SharedCache(() => clock.t);
    let n = 0;
    const load = async () => ++n;
    expect((await cache.get("k", 15_000, load)).value).toBe(1);
    clock.t += 14_999;
    expect((await cache.get("k", 15_000, load)).value).toBe(1);
    clock.t += 1;
    expect((await cache.get("k", 15_000, load)).value).toBe(2);
  });

  it("keeps the last good value, marked stale with the error and its fetch time, when a refresh fails", async () => {
    const clock = { t: 0 };
    const cache = new SharedCache(() => clock.t);
    await cache.get("k", 1000, async () => "good");
    clock.t = 5000;
    const r = await cache.get("k", 1000, async () => {
      throw new Error("Rate exceeded");
    });
    expect(r).toMatchObject({ value: "good", fetchedAt: 0, stale: true });
    expect((r.error as Error).message).toBe("Rate exceeded");
  });

  it("remembers a failure for the window, so a down region is not asked again by every viewer", async () => {
    const clock = { t: 0 };
    const cache = new SharedCache(() => clock.t);
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new Error("down");
    };
    await cache.get("k", 1000, failing);
    await cache.get("k", 1000, failing);
    expect(calls).toBe(1);
    clock.t = 1000;
    await cache.get("k", 1000, failing);
    expect(calls).toBe(2);
  });

  it("a write's invalidation sends the next read upstream; peek never does", async () => {
    const cache = new SharedCache(() => 0);
    let n = 0;
    await cache.get("groups:us-east-1", 60_000, async () => ++n);
    await cache.get("groups:us-west-2", 60_000, async () => 100);
    cache.invalidate("groups:us-east-1");
    expect(cache.peek("groups:us-east-1")).toBe(1);
    expect((await cache.get("groups:us-east-1", 60_000, async () => ++n)).value).toBe(2);
    expect((await cache.get("groups:us-west-2", 60_000, async () => -1)).value).toBe(100);
  });

  it("a refresh already running when a write invalidates cannot put the pre-write value back", async () => {
    const cache = new SharedCache(() => 0);
    const before = deferred<number>();
    const slowOld = cache.get("groups:us-east-1", 15_000, () => before.promise); // in flight, will answer 12
    cache.invalidate("groups:us-east-1"); // the write to 14 lands here
    const afterWrite = await cache.get("groups:us-east-1", 15_000, async () => 14);
    expect(afterWrite.value).toBe(14);
    before.resolve(12);
    await slowOld;
    expect((await cache.get("groups:us-east-1", 15_000, async () => -1)).value).toBe(14);
  });

  it("a failure is retried after 15 s even when the entry's window is longer", async () => {
    const clock = { t: 0 };
    const cache = new SharedCache(() => clock.t);
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new Error("AccessDenied");
    };
    await cache.get("metrics:us-east-1:overview", 300_000, failing);
    clock.t = 14_999;
    await cache.get("metrics:us-east-1:overview", 300_000, failing);
    expect(calls).toBe(1);
    clock.t = 15_000;
    await cache.get("metrics:us-east-1:overview", 300_000, failing);
    expect(calls).toBe(2);
  });
});
