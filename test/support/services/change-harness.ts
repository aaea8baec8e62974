import { withLocalLock } from "@/lib/store/local-lock";
import { afterEach, beforeEach } from "vitest";
import type { AuditRecord } from "@/lib/audit";
import type { SqliteAuditStore } from "@/lib/audit/sqlite-store";
import type { ChangeDeps } from "@/lib/services/capacity/change-capacity";
import type { FakeBackend } from "./fake-backend";
import { fleetBackend, shippedConfig, tempStore } from "./fixtures";

// Shared setup for the changeCapacity tests (change-capacity.*.test.ts): the shipped config, a
// clock, a fresh FakeBackend and temporary SQLite audit store per test, the cache invalidations
// seen, and helpers to build deps, a request body, catch a refusal and read the audit rows.
// In the test file:
//
//   vi.mock("@/lib/backends", async () => (await import("@/test/support/services/change-harness")).backendsMock);
//   const h = changeHarness(); // registers beforeEach/afterEach
//   await changeCapacity(operator, APP, h.body(), h.deps());
//   expect(h.backend.writes).toHaveLength(1);

/** The real backend factory is never used here: every test passes its own fake. */
export const backendsMock = {
  getBackend: () => {
    throw new Error("tests pass a backend explicitly");
  },
};

/** us-east-1 `app` (tave-prod-app: min 4 / max 48 / desired 12 in fleetBackend()). */
export const APP = { region: "us-east-1", pool: "app" };

const START = Date.parse("2026-11-29T10:00:00.000Z");

export interface ChangeHarness {
  readonly backend: FakeBackend;
  readonly store: SqliteAuditStore;
  readonly invalidated: string[];
  /** Epoch ms that `now()` answers with; reset to 2026-11-29T10:00:00Z before each test. */
  clock: number;
  now: () => Date;
  deps(extra?: Partial<ChangeDeps>): Partial<ChangeDeps>;
  body(extra?: Record<string, unknown>): Record<string, unknown>;
  /** The error `p` rejects with; throws if it resolves. */
  failure(p: Promise<unknown>): Promise<Error>;
  /** Every audit row in the store. */
  rows(): Promise<AuditRecord[]>;
}

/** Call once at the top of a test file: registers beforeEach/afterEach and returns the harness. */
export function changeHarness(): ChangeHarness {
  const config = shippedConfig();
  let clock = START;
  const now = () => new Date(clock);

  let backend: FakeBackend;
  let store: SqliteAuditStore;
  let cleanup: () => void;
  let invalidated: string[];
  let keySeq = 0;

  beforeEach(() => {
    clock = START;
    backend = fleetBackend();
    ({ store, cleanup } = tempStore());
    invalidated = [];
  });
  afterEach(() => cleanup());

  function deps(extra: Partial<ChangeDeps> = {}): Partial<ChangeDeps> {
    return {
      backend,
      store,
      config,
      now,
      cache: { invalidate: (p) => void invalidated.push(p) },
      locks: { withLock: withLocalLock },
      ...extra,
    };
  }

  function body(extra: Record<string, unknown> = {}) {
    return {
      desired: 16,
      expectedDesired: 12,
      reason: "page load climbing",
      idempotencyKey: `key-${++keySeq}-abcdef`,
      ...extra,
    };
  }

  async function failure(p: Promise<unknown>): Promise<Error> {
    try {
      await p;
    } catch (err) {
      return err as Error;
    }
    throw new Error("expected the change to be refused");
  }

  async function rows(): Promise<AuditRecord[]> {
    return (await store.query({ limit: 500 })).records;
  }

  return {
    get backend() {
      return backend;
    },
    get store() {
      return store;
    },
    get invalidated() {
      return invalidated;
    },
    get clock() {
      return clock;
    },
    set clock(value: number) {
      clock = value;
    },
    now,
    deps,
    body,
    failure,
    rows,
  };
}
