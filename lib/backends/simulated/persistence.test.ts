import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createSimulatedBackend } from "./index";
import { groupSpecs } from "./groups";
import { REPLACE_AFTER_MS, nextFailure } from "./health";
import { STATE_FILE } from "./store";
import {
  APP,
  DAY,
  EAST,
  MINUTE,
  WEEKDAY_PEAK,
  cleanupDataDirs,
  harness,
  referenceConfig,
  tempDataDir,
} from "@/test/support/simulated/fixtures";

afterEach(cleanupDataDirs);

const cfg = referenceConfig();

describe("simulated fleet state", () => {
  it("is written to the data directory, created if missing", () => {
    const dataDir = path.join(tempDataDir(), "nested", "data");
    harness(cfg, WEEKDAY_PEAK, { dataDir });
    const saved = JSON.parse(readFileSync(path.join(dataDir, STATE_FILE), "utf8")) as {
      version: number;
      groups: Record<string, unknown>;
    };
    expect(saved.version).toBe(1);
    expect(Object.keys(saved.groups)).toHaveLength(16); // 8 pools × 2 regions
    // Only the server's user may read or change it.
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dataDir, STATE_FILE)).mode & 0o777).toBe(0o600);
  });

  it("refuses impossible values (min above max, desired outside min..max), naming the file", () => {
    const h = harness();
    const saved = JSON.parse(readFileSync(path.join(h.dataDir, STATE_FILE), "utf8"));
    const file = path.join(h.dataDir, STATE_FILE);
    const make = () => createSimulatedBackend(cfg, { dataDir: h.dataDir, now: () => WEEKDAY_PEAK });
    const app = saved.groups["us-east-1/app"];
    writeFileSync(
      file,
      JSON.stringify({
        ...saved,
        groups: { ...saved.groups, "us-east-1/app": { ...app, min: 50, max: 3, desired: 3 } },
      }),
    );
    expect(make).toThrow(
      `${file}: the simulated fleet state is corrupt (groups.us-east-1/app.min: min 50 is greater than max 3)`,
    );
    writeFileSync(
      file,
      JSON.stringify({
        ...saved,
        groups: { ...saved.groups, "us-east-1/app": { ...app, min: 1, max: 3, desired: 9 } },
      }),
    );
    expect(make).toThrow(/desired 9 is outside min 1\.\.max 3/);
    writeFileSync(
      file,
      JSON.stringify({ ...saved, groups: { ...saved.groups, "us-east-1/app": { ...app, min: -1 } } }),
    );
    expect(make).toThrow(/corrupt \(groups\.us-east-1\/app\.min/);
  });

  it("refuses state made with another seed instead of silently starting a fresh fleet", async () => {
    const h = harness();
    await h.backend.setDesiredCapacity(EAST, APP, 15);
    const before = readFileSync(path.join(h.dataDir, STATE_FILE), "utf8");
    const other = { ...cfg, simulation: { ...cfg.simulation, seed: cfg.simulation.seed + 1 } };
    expect(() => createSimulatedBackend(other, { dataDir: h.dataDir, now: () => WEEKDAY_PEAK })).toThrow(
      `the simulated fleet state was made with simulation.seed ${cfg.simulation.seed}, but the configuration now says ${cfg.simulation.seed + 1}`,
    );
    expect(readFileSync(path.join(h.dataDir, STATE_FILE), "utf8")).toBe(before); // untouched
  });

  it("survives a restart", async () => {
    const h = harness();
    await h.backend.setDesiredCapacity(EAST, APP, 15);
    const before = (await h.backend.listGroups(EAST)).find((g) => g.groupName === APP);
    const activities = await h.backend.describeActivities(EAST, APP);

    const again = h.restart();
    const after = (await again.listGroups(EAST)).find((g) => g.groupName === APP);
    expect(after).toEqual(before);
    expect(await again.describeActivities(EAST, APP)).toEqual(activities);
    h.advance(2 * MINUTE); // the restarted fleet carries on where the old one left off
    const later = (await again.listGroups(EAST)).find((g) => g.groupName === APP);
    expect(later?.instances.filter((i) => i.lifecycleState === "InService")).toHaveLength(15);
  });

  it("refuses a corrupt file, naming it", () => {
    const dataDir = tempDataDir();
    const file = path.join(dataDir, STATE_FILE);
    writeFileSync(file, "{ not json");
    const make = () => createSimulatedBackend(cfg, { dataDir, now: () => WEEKDAY_PEAK });
    expect(make).toThrow(file);
    expect(make).toThrow(/corrupt/);
    writeFileSync(
      file,
      JSON.stringify({ version: 1, seed: 42, groups: { "us-east-1/app": { min: "four" } } }),
    );
    expect(make).toThrow(`${file}: the simulated fleet state is corrupt (groups.us-east-1/app.`);
    expect(readFileSync(file, "utf8")).toContain("four"); // never overwritten
  });

  it("forgets terminated instances and finished activities after eight days", async () => {
    const h = harness();
    await h.backend.setDesiredCapacity(EAST, APP, 11);
    const gone = (await h.backend.listGroups(EAST))
      .find((g) => g.groupName === APP)
      ?.instances.find((i) => i.lifecycleState === "Terminating");
    h.advance(8 * DAY + MINUTE);
    await h.backend.listGroups(EAST);
    const saved = readFileSync(path.join(h.dataDir, STATE_FILE), "utf8");
    expect(gone?.id).toMatch(/^i-0/);
    expect(saved).not.toContain(gone?.id);
    expect(saved).not.toContain("2026-03-11T19:00:00Z a user request");
  });
});

describe("health replacements", () => {
  it("happen now and then, each with its own activity citing the EC2 health check", async () => {
    const h = harness();
    let replaced = 0;
    for (const g of await h.backend.listGroups(EAST)) {
      const acts = await h.backend.describeActivities(EAST, g.groupName, 100);
      const terminations = acts.filter((a) => a.cause.includes("in response to an EC2 health check"));
      for (const a of terminations) {
        expect(a.description).toMatch(/^Terminating EC2 instance: i-0[0-9a-f]{16}$/);
        expect(a.cause).toMatch(
          /^At \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ an instance was taken out of service in response to an EC2 health check/,
        );
      }
      replaced += terminations.length;
    }
    // Eight groups over the 7-day backfill at about one failure per group per two days.
    expect(replaced).toBeGreaterThanOrEqual(10);
    expect(replaced).toBeLessThanOrEqual(60);
  });

  it("show an instance Unhealthy, then replace it without changing desired", async () => {
    const spec = groupSpecs(cfg).find((s) => s.groupName === APP);
    const failure = nextFailure(cfg.simulation.seed, spec?.idKey ?? 0, WEEKDAY_PEAK, WEEKDAY_PEAK + 30 * DAY);
    expect(failure).not.toBeNull();
    const h = harness(cfg, (failure ?? 0) - 10 * MINUTE);
    const app = async () => (await h.backend.listGroups(EAST)).find((g) => g.groupName === APP);
    expect((await app())?.instances.every((i) => i.health === "Healthy")).toBe(true);
    h.clock.t = (failure ?? 0) + 30_000;
    const sick = (await app())?.instances.filter((i) => i.health === "Unhealthy") ?? [];
    expect(sick.map((i) => i.lifecycleState)).toEqual(["InService"]);
    h.clock.t = (failure ?? 0) + REPLACE_AFTER_MS + 1_000;
    const g = await app();
    expect(g?.desired).toBe(12);
    expect(g?.instances.find((i) => i.id === sick[0]?.id)?.lifecycleState).toBe("Terminating");
    expect(g?.instances.filter((i) => i.lifecycleState === "Pending")).toHaveLength(1);
    const [launch, termination] = await h.backend.describeActivities(EAST, APP, 2);
    expect(termination?.description).toBe(`Terminating EC2 instance: ${sick[0]?.id}`);
    expect(launch?.cause).toMatch(/increasing the capacity from 11 to 12\.$/);
  });

  it("are the same for the same seed", async () => {
    const a = await harness().backend.describeActivities(EAST, APP, 100);
    const b = await harness().backend.describeActivities(EAST, APP, 100);
    expect(a.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });
});
