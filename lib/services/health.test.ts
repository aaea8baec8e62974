import { rmSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setBackendForTests } from "@/lib/backends";
import { cleanupDataDirs, harness, referenceConfig } from "@/test/support/simulated/fixtures";
import { sharedCache } from "@/lib/cache/shared-cache";
import { setConfigForTests } from "@/lib/config";
import { SqliteAuditStore } from "@/lib/audit/sqlite-store";
import { setStoreForTests, SqliteStore } from "@/lib/store";
import { tempDataDir } from "@/test/support/services/fixtures";
import { publicHealth, readHealth } from "./health";

afterEach(() => {
  vi.useRealTimers();
  setBackendForTests(undefined);
  setConfigForTests(undefined);
  sharedCache().clear();
  cleanupDataDirs();
});

describe("health", () => {
  it("reports each region's reachability, and a probe every few seconds costs one describe per region per minute", async () => {
    const cfg = referenceConfig();
    setConfigForTests(cfg);
    const t0 = Date.UTC(2026, 10, 30, 15, 0, 0);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(t0);
    const h = harness(cfg, t0);
    setBackendForTests(h.backend);
    sharedCache().clear();
    const spy = vi.spyOn(h.backend, "listGroups");
    const probe = async (t: number) => {
      vi.setSystemTime(t);
      return readHealth();
    };

    expect(await probe(t0)).toMatchObject({
      status: "ok",
      backend: "simulated",
      store: "sqlite",
      storeReachable: true,
      regions: [
        { region: "us-east-1", reachable: true },
        { region: "us-west-2", reachable: true },
      ],
    });
    for (let s = 5; s < 60; s += 5) await probe(t0 + s * 1000);
    expect(spy).toHaveBeenCalledTimes(2);
    await probe(t0 + 60_000);
    expect(spy).toHaveBeenCalledTimes(4);

    h.backend.setFault("us-west-2", "down");
    const down = await probe(t0 + 121_000);
    expect(down.status).toBe("degraded");
    expect(down.regions[1]).toMatchObject({
      region: "us-west-2",
      reachable: false,
      error: "NetworkingError",
    });
    expect(JSON.stringify(down)).not.toMatch(/desired|instances/);
  });
});

describe("health with the store lost", () => {
  it("says so when the SQLite file was deleted underneath the open log (it would vanish at the next start)", async () => {
    const cfg = referenceConfig();
    setConfigForTests(cfg);
    setBackendForTests(harness(cfg, Date.now()).backend);
    const t = tempDataDir();
    const store = new SqliteStore(t.file);
    setStoreForTests(store);
    try {
      expect(await readHealth()).toMatchObject({ status: "ok", storeReachable: true });
      rmSync(t.file);
      expect(await readHealth()).toMatchObject({
        status: "degraded",
        store: "sqlite",
        storeReachable: false,
      });
    } finally {
      setStoreForTests(undefined);
      await store.close();
      t.cleanup();
    }
  });

  it("says so, and the replica still answers (reads go on; changes are refused)", async () => {
    const cfg = referenceConfig();
    setConfigForTests(cfg);
    const h = harness(cfg, Date.now());
    setBackendForTests(h.backend);
    const lost = new SqliteStore(new SqliteAuditStore(":memory:"));
    lost.ping = () => Promise.reject(new Error("connection terminated"));
    setStoreForTests(lost);
    try {
      expect(await readHealth()).toMatchObject({
        status: "degraded",
        store: "sqlite",
        storeReachable: false,
        regions: [{ reachable: true }, { reachable: true }],
      });
    } finally {
      setStoreForTests(undefined);
    }
  });
});

describe("health for a signed-out caller (a load balancer)", () => {
  it("says only ok or degraded: no backend, region names or AWS error text", async () => {
    const cfg = referenceConfig();
    setConfigForTests(cfg);
    const h = harness(cfg, Date.now());
    setBackendForTests(h.backend);
    sharedCache().clear();
    expect(publicHealth(await readHealth())).toEqual({ status: "ok" });
    h.backend.setFault("us-west-2", "down");
    sharedCache().clear();
    const down = publicHealth(await readHealth());
    expect(down).toEqual({ status: "degraded" });
    expect(JSON.stringify(down)).not.toMatch(/us-west-2|simulated|Networking|sqlite/);
  });
});

describe("health with a slow region", () => {
  it("answers within its deadline from what is ready (a load balancer times out at ~5 s)", async () => {
    const cfg = referenceConfig();
    setConfigForTests(cfg);
    const h = harness(cfg, Date.now());
    setBackendForTests(h.backend);
    sharedCache().clear();
    const real = h.backend.listGroups.bind(h.backend);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    vi.spyOn(h.backend, "listGroups").mockImplementation(async (region, signal) => {
      if (region === "us-west-2") await held; // hangs until released
      return real(region, signal);
    });
    const started = performance.now();
    const health = await readHealth(300);
    const took = performance.now() - started;
    release();
    expect(took).toBeLessThan(2_000);
    expect(health.status).toBe("degraded");
    expect(health.regions).toMatchObject([
      { region: "us-east-1", reachable: true },
      { region: "us-west-2", reachable: false, error: "Timeout" },
    ]);
    // The read it did not wait for goes on and fills the cache: the next probe answers from it.
    await vi.waitFor(async () => expect((await readHealth(300)).status).toBe("ok"));
    expect(vi.mocked(h.backend.listGroups).mock.calls.filter(([r]) => r === "us-west-2")).toHaveLength(1);
  });
});
