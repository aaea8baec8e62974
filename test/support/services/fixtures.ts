import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { SqliteAuditStore } from "@/lib/audit/sqlite-store";
import type { NewAuditRecord } from "@/lib/audit/types";
import type { Identity } from "@/lib/auth/roles";
import { shippedConfig } from "../config";
import { FakeBackend, makeGroup } from "./fake-backend";

// Shared test fixtures: the shipped fleet configuration, one identity per role, a fresh audit
// database in a temporary data directory, an audit record to write to it, and a fake backend
// holding `app` in both regions.

export { shippedConfig };

export const viewer: Identity = { name: "vera", role: "viewer", source: "dev" };
export const operator: Identity = { name: "olga", role: "operator", source: "dev" };
export const admin: Identity = { name: "adam", role: "admin", source: "dev" };

export function tempDataDir(): { dir: string; file: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "capstan-audit-"));
  return {
    dir,
    file: path.join(dir, "audit.sqlite"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function tempStore(): { store: SqliteAuditStore; file: string; cleanup: () => void } {
  const t = tempDataDir();
  const store = new SqliteAuditStore(t.file);
  return {
    store,
    file: t.file,
    cleanup: () => {
      store.close();
      t.cleanup();
    },
  };
}

/**
 * An audit record as the capacity service writes it before calling the backend: olga (operator)
 * asking for us-east-1 `app` to go from 12 to 16. `time` is epoch ms; `extra` overrides any field.
 * The idempotency key is null unless `extra` names one.
 */
export function auditRecord(extra: Partial<NewAuditRecord> = {}, time: number = Date.now()): NewAuditRecord {
  return {
    time: new Date(time).toISOString(),
    actor: "olga",
    role: "operator",
    action: "capacity",
    region: "us-east-1",
    pool: "app",
    group: "tave-prod-app",
    from: 12,
    expected: 12,
    to: 16,
    minFrom: 4,
    minTo: null,
    maxFrom: 48,
    maxTo: null,
    reason: "page load climbing",
    idempotencyKey: null,
    requestHash: "h",
    override: false,
    ...extra,
  };
}

/** `app`: us-east-1 min 4 / max 48 / desired 12 (floor 4, max step 8); us-west-2 2 / 48 / 6. */
export function fleetBackend(): FakeBackend {
  return new FakeBackend([
    makeGroup("us-east-1", "app", "tave-prod-app", { min: 4, max: 48, desired: 12 }),
    makeGroup("us-west-2", "app", "tave-dr-app", { min: 2, max: 48, desired: 6 }),
    makeGroup(
      "us-east-1",
      "worker-calendar",
      "tave-prod-worker-calendar",
      { min: 2, max: 16, desired: 4 },
      { hasScalingPolicies: true },
    ),
  ]);
}
