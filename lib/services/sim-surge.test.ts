import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setAuditStoreForTests } from "@/lib/audit";
import type { SqliteAuditStore } from "@/lib/audit/sqlite-store";
import { setBackendForTests } from "@/lib/backends";
import { cleanupDataDirs, EAST, harness, WEEKDAY_PEAK } from "@/test/support/simulated/fixtures";
import { sharedCache } from "@/lib/cache/shared-cache";
import { setConfigForTests } from "@/lib/config";
import type { FleetBackend } from "@/lib/fleet/types";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { endSurge, startSurge } from "./sim-surge";
import { admin, operator, shippedConfig, tempStore } from "@/test/support/services/fixtures";

// POST/DELETE /api/admin/surge's use case: admin only (a denial is audited), the simulated
// backend only (404 otherwise), fields checked (400 naming them), every applied surge audited.

let store: SqliteAuditStore;
let cleanup: () => void;
const cfg = shippedConfig();
const rows = async () => (await store.query({ limit: 50 })).records;

beforeEach(() => {
  setConfigForTests(cfg);
  setBackendForTests(harness(cfg, WEEKDAY_PEAK).backend);
  sharedCache().clear();
  ({ store, cleanup } = tempStore());
  setAuditStoreForTests(store);
});
afterEach(() => {
  setBackendForTests(undefined);
  setAuditStoreForTests(undefined);
  setConfigForTests(undefined);
  cleanup();
  cleanupDataDirs();
});

describe("load surge endpoint", () => {
  it("an admin starts and ends a surge; both are audited with the pool", async () => {
    const started = await startSurge(admin, {
      region: EAST,
      pool: "app",
      factor: 3,
      minutes: 20,
      startedMinutesAgo: 5,
    });
    expect(started.surge).toMatchObject({ region: EAST, poolId: "app", factor: 3 });
    expect(started.surges).toHaveLength(1);
    const ended = await endSurge(admin, { region: EAST, pool: "app" });
    expect(ended.surges).toEqual([]);
    const [end, start] = await rows();
    expect(start).toMatchObject({
      actor: "adam",
      action: "faults",
      region: EAST,
      pool: "app",
      outcome: "succeeded",
      reason: "surge ×3 for 20 min, started 5 min ago",
    });
    expect(end).toMatchObject({
      actor: "adam",
      action: "faults",
      pool: "app",
      outcome: "succeeded",
      reason: "surge ended",
    });
  });

  it("refuses an operator (403) and records the denial", async () => {
    const e = await startSurge(operator, { region: EAST, pool: "app", factor: 3, minutes: 20 }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(ForbiddenError);
    expect(await rows()).toMatchObject([
      { actor: "olga", outcome: "denied", pool: "app", errorCode: "Forbidden" },
    ]);
  });

  it("answers 400 with field errors for out-of-range or unknown fields and for an unknown pool", async () => {
    const bad = (await startSurge(admin, {
      region: EAST,
      pool: "app",
      factor: 25,
      minutes: 0,
      startedMinutesAgo: 61,
      extra: 1,
    }).catch((x: unknown) => x)) as ValidationError;
    expect(bad).toBeInstanceOf(ValidationError);
    expect(Object.keys(bad.fields).sort()).toEqual(["extra", "factor", "minutes", "startedMinutesAgo"]);
    expect(bad.fields).toMatchObject({
      factor: "must be at most 20",
      minutes: "must be at least 1",
      startedMinutesAgo: "must be at most 60",
    });
    expect(bad.fields.extra).toMatch(/unknown field/);
    const unknown = (await startSurge(admin, { region: EAST, pool: "nope", factor: 2, minutes: 5 }).catch(
      (x: unknown) => x,
    )) as ValidationError;
    expect(unknown.fields).toEqual({ pool: "unknown pool" });
    const region = (await endSurge(admin, { region: "eu-west-9", pool: "app" }).catch(
      (x: unknown) => x,
    )) as ValidationError;
    expect(region.fields.region).toMatch(/us-east-1 or us-west-2/);
    expect(await rows()).toEqual([]);
  });

  it("does not exist with backend: aws (404)", async () => {
    setBackendForTests({ kind: "aws" } as unknown as FleetBackend);
    await expect(
      startSurge(admin, { region: EAST, pool: "app", factor: 2, minutes: 5 }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(endSurge(admin, { region: EAST, pool: "app" })).rejects.toBeInstanceOf(NotFoundError);
  });
});
