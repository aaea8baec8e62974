import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

// The real backend factory is never used here: every test passes its own fake.
vi.mock("@/lib/backends", () => ({
  getBackend: () => {
    throw new Error("tests pass a backend explicitly");
  },
}));

import type { AuditRecord, AuditStore } from "@/lib/audit";
import { SqliteAuditStore } from "@/lib/audit/sqlite-store";
import type { Identity } from "@/lib/auth/roles";
import { BackendError } from "@/lib/fleet/types";
import { changeCapacity, type ChangeDeps } from "./change-capacity";
import {
  AuditUnavailableError,
  ConflictError,
  ForbiddenError,
  GuardrailError,
  IdempotencyMismatchError,
  NotFoundError,
  UnauthenticatedError,
  UpstreamError,
  ValidationError,
} from "./errors";
import { readAudit } from "./read-audit";
import { FakeBackend, makeGroup } from "./testing/fake-backend";
import { admin, fleetBackend, operator, shippedConfig, tempStore, viewer } from "./testing/fixtures";

const config = shippedConfig();
const APP = { region: "us-east-1", pool: "app" };
let clock = Date.parse("2026-11-29T10:00:00.000Z");
const now = () => new Date(clock);

let backend: FakeBackend;
let store: SqliteAuditStore;
let cleanup: () => void;
let invalidated: string[];
let keySeq = 0;

beforeEach(() => {
  clock = Date.parse("2026-11-29T10:00:00.000Z");
  backend = fleetBackend();
  ({ store, cleanup } = tempStore());
  invalidated = [];
});
afterEach(() => cleanup());

function deps(extra: Partial<ChangeDeps> = {}): Partial<ChangeDeps> {
  return { backend, store, config, now, cache: { invalidate: (p) => invalidated.push(p) }, ...extra };
}

function body(extra: Record<string, unknown> = {}) {
  return { desired: 16, expectedDesired: 12, reason: "page load climbing", idempotencyKey: `key-${++keySeq}-abcdef`, ...extra };
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

describe("changeCapacity: roles", () => {
  it("a viewer gets 403, nothing reaches the backend, and the denial is audited with its reason", async () => {
    const err = await failure(changeCapacity(viewer, APP, body({ reason: "just looking" }), deps()));
    expect(err).toBeInstanceOf(ForbiddenError);
    expect((err as ForbiddenError).status).toBe(403);
    expect(backend.reads).toBe(0);
    expect(backend.writes).toHaveLength(0);
    const [row] = await rows();
    expect(row).toMatchObject({
      outcome: "denied",
      actor: "vera",
      role: "viewer",
      region: "us-east-1",
      pool: "app",
      group: "tave-prod-app",
      to: 16,
      expected: 12,
      reason: "just looking",
      errorCode: "Forbidden",
    });
    expect(row!.errorMessage).toContain("viewer may not change desired capacity");
  });

  it("signed out is 401 and writes nothing anywhere", async () => {
    const err = await failure(changeCapacity(null, APP, body(), deps()));
    expect(err).toBeInstanceOf(UnauthenticatedError);
    expect(await rows()).toHaveLength(0);
    expect(backend.reads + backend.writes.length).toBe(0);
  });

  it("an identity with no role is denied and audited", async () => {
    const nobody: Identity = { name: "nina@example.com", role: null, source: "alb" };
    expect(await failure(changeCapacity(nobody, APP, "not even an object", deps()))).toBeInstanceOf(ForbiddenError);
    expect((await rows())[0]).toMatchObject({ outcome: "denied", role: null, actor: "nina@example.com", to: null });
  });

  it("an operator scoped to other pools is denied", async () => {
    const scoped: Identity = { name: "wes", role: "operator", source: "alb", scope: { pools: ["worker-*"] } };
    expect(await failure(changeCapacity(scoped, APP, body(), deps()))).toBeInstanceOf(ForbiddenError);
    expect(backend.writes).toHaveLength(0);
  });

  it("an operator changes desired within guardrails: one write, outcome succeeded with the request id", async () => {
    const res = await changeCapacity(operator, APP, body(), deps());
    expect(backend.writes).toEqual([{ method: "setDesiredCapacity", region: "us-east-1", group: "tave-prod-app", desired: 16 }]);
    expect(res.replayed).toBe(false);
    expect(res.record).toMatchObject({
      outcome: "succeeded",
      actor: "olga",
      role: "operator",
      action: "capacity",
      group: "tave-prod-app",
      from: 12,
      expected: 12,
      to: 16,
      requestId: "req-1",
      reason: "page load climbing",
      time: "2026-11-29T10:00:00.000Z",
    });
    expect(res.pool).toMatchObject({ desired: 16, min: 4, max: 48, inService: 12, pending: 4, group: "tave-prod-app" });
    expect(invalidated).toEqual(["groups:us-east-1", "activities:us-east-1:tave-prod-app"]);
    const [row] = await rows();
    expect(row!.id).toBe(res.record.id);
  });

  it("an operator may not send min or max (403 naming the field, audited, no backend call)", async () => {
    const err = await failure(changeCapacity(operator, APP, body({ min: 2 }), deps()));
    expect(err).toBeInstanceOf(ForbiddenError);
    expect((err as ForbiddenError).fields).toEqual({ min: "only an admin may change min" });
    expect(backend.reads + backend.writes.length).toBe(0);
    expect((await rows())[0]).toMatchObject({ outcome: "denied", action: "bounds", minTo: 2 });
  });

  it("an operator may not send an override", async () => {
    const err = await failure(changeCapacity(operator, APP, body({ override: { confirm: "app" } }), deps()));
    expect(err).toBeInstanceOf(ForbiddenError);
    expect((err as ForbiddenError).fields).toHaveProperty(["override.confirm"]);
    expect(backend.writes).toHaveLength(0);
  });

  it("an admin changes min and max with desired in one call", async () => {
    const res = await changeCapacity(admin, APP, body({ min: 6, max: 40 }), deps());
    expect(backend.writes).toEqual([
      { method: "updateGroupBounds", region: "us-east-1", group: "tave-prod-app", change: { min: 6, max: 40, desired: 16 } },
    ]);
    expect(res.record).toMatchObject({ action: "bounds", outcome: "succeeded", minFrom: 4, minTo: 6, maxFrom: 48, maxTo: 40, from: 12, to: 16 });
    expect(res.pool).toMatchObject({ min: 6, max: 40, desired: 16 });
  });
});

describe("changeCapacity: input", () => {
  it.each([
    ["an unknown field", { colour: "red" }, "colour", "unknown field"],
    ["a fractional desired", { desired: 12.5 }, "desired", "expected a whole number"],
    ["a negative desired", { desired: -1 }, "desired", "must be at least 0"],
    ["a string number", { expectedDesired: "12" }, "expectedDesired", "expected number"],
    ["a short reason", { reason: " ok  " }, "reason", "must be at least 3 characters"],
    ["a long reason", { reason: "x".repeat(501) }, "reason", "must be at most 500 characters"],
    ["a short idempotency key", { idempotencyKey: "abc" }, "idempotencyKey", "must be at least 8 characters"],
    ["an unknown override field", { override: { confirm: "app", force: true } }, "override.force", "unknown field"],
  ])("%s is a 400 naming the field, with no backend call", async (_name, patch, field, message) => {
    const err = await failure(changeCapacity(admin, APP, body(patch), deps()));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).status).toBe(400);
    expect((err as ValidationError).fields[field]).toBe(message);
    expect(backend.reads + backend.writes.length).toBe(0);
  });

  it("a missing body is a 400", async () => {
    const err = await failure(changeCapacity(operator, APP, undefined, deps()));
    expect(err).toBeInstanceOf(ValidationError);
  });

  it("an unknown region or pool is a 404", async () => {
    expect(await failure(changeCapacity(admin, { region: "eu-west-1", pool: "app" }, body(), deps()))).toBeInstanceOf(NotFoundError);
    expect(await failure(changeCapacity(admin, { region: "us-east-1", pool: "nope" }, body(), deps()))).toBeInstanceOf(NotFoundError);
    expect(backend.writes).toHaveLength(0);
  });

  it("a configured pool without a group in the region is a 404", async () => {
    const err = await failure(changeCapacity(admin, { region: "us-east-1", pool: "bastion" }, body({ desired: 2, expectedDesired: 1 }), deps()));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toContain("no Auto Scaling group");
  });
});

describe("changeCapacity: bounds", () => {
  it("desired above max is a 400 naming max; no write, no clamp", async () => {
    const err = await failure(changeCapacity(admin, APP, body({ desired: 49, override: { confirm: "app" } }), deps()));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields).toEqual({ desired: "must be at most the maximum (max 48)" });
    expect(backend.writes).toHaveLength(0);
    expect(backend.group("us-east-1", "tave-prod-app").desired).toBe(12);
    expect((await rows())[0]).toMatchObject({ outcome: "rejected", errorCode: "OutOfBounds", from: 12, to: 49 });
  });

  it("desired below min is a 400 naming min", async () => {
    const err = await failure(changeCapacity(operator, APP, body({ desired: 3 }), deps()));
    expect((err as ValidationError).fields).toEqual({ desired: "must be at least the minimum (min 4)" });
    expect(backend.writes).toHaveLength(0);
  });

  it("an admin's new bounds are the ones checked", async () => {
    const above = await failure(changeCapacity(admin, APP, body({ desired: 16, max: 14 }), deps()));
    expect((above as ValidationError).fields).toEqual({ desired: "must be at most the maximum (max 14)" });
    const crossed = await failure(changeCapacity(admin, APP, body({ desired: 16, min: 20, max: 18 }), deps()));
    expect((crossed as ValidationError).fields.min).toBe("must be at most the maximum (max 18)");
    expect(backend.writes).toHaveLength(0);
  });
});

describe("changeCapacity: optimistic concurrency", () => {
  it("a stale expectedDesired is a 409 with the current state, and nothing is written", async () => {
    backend.setDesired("us-east-1", "tave-prod-app", 14);
    const err = await failure(changeCapacity(operator, APP, body({ desired: 16, expectedDesired: 12 }), deps()));
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).status).toBe(409);
    expect((err as ConflictError).current).toEqual({ desired: 14, min: 4, max: 48, inService: 12 });
    expect(err.message).toContain("desired is now 14, not 12");
    expect(backend.writes).toHaveLength(0);
    expect((await rows())[0]).toMatchObject({ outcome: "rejected", errorCode: "Conflict", from: 14, expected: 12, to: 16 });
  });
});

describe("changeCapacity: idempotency", () => {
  it("a double submit makes one change and returns the same record", async () => {
    const b = body();
    const first = await changeCapacity(operator, APP, b, deps());
    const second = await changeCapacity(operator, APP, { ...b }, deps());
    expect(backend.writes).toHaveLength(1);
    expect(second.record.id).toBe(first.record.id);
    expect(second.record.outcome).toBe("succeeded");
    expect(second.replayed).toBe(true);
    expect(second.pool?.desired).toBe(16);
    expect(await rows()).toHaveLength(1);
  });

  it("two concurrent submits with one key make one change", async () => {
    const b = body();
    const [a, c] = await Promise.all([changeCapacity(operator, APP, b, deps()), changeCapacity(operator, APP, { ...b }, deps())]);
    expect(backend.writes).toHaveLength(1);
    expect(a.record.id).toBe(c.record.id);
    expect([a.replayed, c.replayed].sort()).toEqual([false, true]);
  });

  it("a double submit whose twin changed the group while it was reading replays instead of a 409", async () => {
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    let calls = 0;
    backend.beforeRead = async () => {
      if (calls++ === 0) await hold; // the second click's read is slow
    };
    const b = body();
    const slow = changeCapacity(operator, APP, b, deps());
    await vi.waitFor(() => expect(backend.reads).toBe(1));
    const fast = await changeCapacity(operator, APP, { ...b }, deps());
    expect(backend.group("us-east-1", "tave-prod-app").desired).toBe(16);
    release();
    const late = await slow;
    expect(late.replayed).toBe(true);
    expect(late.record.id).toBe(fast.record.id);
    expect(backend.writes).toHaveLength(1);
    expect(await rows()).toHaveLength(1);
  });

  it("a repeat while the first is still in flight returns the pending record as is", async () => {
    let open!: () => void;
    backend.gate = new Promise<void>((r) => (open = r));
    const b = body();
    const first = changeCapacity(operator, APP, b, deps());
    await vi.waitFor(() => expect(backend.writes).toHaveLength(1));
    const second = await changeCapacity(operator, APP, { ...b }, deps());
    expect(second.record.outcome).toBe("pending");
    expect(second.replayed).toBe(true);
    open();
    expect((await first).record.outcome).toBe("succeeded");
    expect(backend.writes).toHaveLength(1);
  });

  it("the same key with another body is a 422 and nothing is written", async () => {
    const b = body();
    await changeCapacity(operator, APP, b, deps());
    const err = await failure(changeCapacity(operator, APP, { ...b, desired: 17, expectedDesired: 16 }, deps()));
    expect(err).toBeInstanceOf(IdempotencyMismatchError);
    expect((err as IdempotencyMismatchError).status).toBe(422);
    expect(backend.writes).toHaveLength(1);
  });

  it("the same key for another pool is a 422 too", async () => {
    const b = body();
    await changeCapacity(operator, APP, b, deps());
    const err = await failure(changeCapacity(operator, { region: "us-west-2", pool: "app" }, b, deps()));
    expect(err).toBeInstanceOf(IdempotencyMismatchError);
  });

  it("a repeated key after a failure returns the same failure without calling again", async () => {
    backend.nextWriteError = new BackendError("ScalingActivityInProgress", "Scaling activity 1234 is in progress and blocks this action", { httpStatus: 400, requestId: "aws-1" });
    const b = body();
    const first = await failure(changeCapacity(operator, APP, b, deps()));
    const again = await failure(changeCapacity(operator, APP, b, deps()));
    expect(backend.writes).toHaveLength(1);
    expect(again).toBeInstanceOf(UpstreamError);
    expect((again as UpstreamError).code).toBe("ScalingActivityInProgress");
    expect(again.message).toBe(first.message);
  });

  it("a rejected attempt (409) does not take the key: the retry after review goes through", async () => {
    backend.setDesired("us-east-1", "tave-prod-app", 14);
    const b = body({ desired: 16, expectedDesired: 12 });
    expect(await failure(changeCapacity(operator, APP, b, deps()))).toBeInstanceOf(ConflictError);
    const res = await changeCapacity(operator, APP, { ...b, expectedDesired: 14 }, deps());
    expect(res.record.outcome).toBe("succeeded");
  });
});

describe("changeCapacity: guardrails", () => {
  beforeEach(() => {
    // app in us-east-1: floor 4, max step 8. Min 1 here, so only the guardrail stands in the way.
    backend.put(makeGroup("us-east-1", "app", "tave-prod-app", { min: 1, max: 48, desired: 6 }));
  });

  it("an operator going below the floor gets 403 with a field error explaining it, audited, no write", async () => {
    const err = await failure(changeCapacity(operator, APP, body({ desired: 3, expectedDesired: 6 }), deps()));
    expect(err).toBeInstanceOf(GuardrailError);
    expect((err as GuardrailError).status).toBe(403);
    expect((err as GuardrailError).fields.desired).toBe("3 is below the floor of 4 for app in us-east-1");
    expect(backend.writes).toHaveLength(0);
    expect((await rows())[0]).toMatchObject({ outcome: "denied", errorCode: "Guardrail" });
  });

  it("an operator going beyond the maximum step gets 403", async () => {
    const err = await failure(changeCapacity(operator, APP, body({ desired: 15, expectedDesired: 6 }), deps()));
    expect((err as GuardrailError).status).toBe(403);
    expect((err as GuardrailError).fields.desired).toBe("a step of +9 is more than the maximum step of 8 per change for app");
    expect(backend.writes).toHaveLength(0);
  });

  it("exactly at the floor and at the maximum step is allowed", async () => {
    await changeCapacity(operator, APP, body({ desired: 14, expectedDesired: 6 }), deps());
    await changeCapacity(operator, APP, body({ desired: 6, expectedDesired: 14 }), deps());
    await changeCapacity(operator, APP, body({ desired: 4, expectedDesired: 6 }), deps());
    expect(backend.writes.map((w) => w.desired)).toEqual([14, 6, 4]);
  });

  it("an admin without the typed pool id gets 400 asking for it", async () => {
    const err = await failure(changeCapacity(admin, APP, body({ desired: 3, expectedDesired: 6 }), deps()));
    expect((err as GuardrailError).status).toBe(400);
    expect((err as GuardrailError).fields["override.confirm"]).toBe("type app to override the guardrails");
    const wrong = await failure(changeCapacity(admin, APP, body({ desired: 3, expectedDesired: 6, override: { confirm: "App" } }), deps()));
    expect((wrong as GuardrailError).status).toBe(400);
    expect(backend.writes).toHaveLength(0);
    expect((await rows()).map((r) => r.outcome)).toEqual(["rejected", "rejected"]);
  });

  it("an admin overrides with the pool id typed and a reason; the record says so", async () => {
    const res = await changeCapacity(admin, APP, body({ desired: 2, expectedDesired: 6, override: { confirm: "app" }, reason: "draining for maintenance" }), deps());
    expect(res.record).toMatchObject({ outcome: "succeeded", override: true, to: 2, reason: "draining for maintenance" });
    expect(backend.writes).toHaveLength(1);
  });

  it("no floor in the standby region", async () => {
    const res = await changeCapacity(operator, { region: "us-west-2", pool: "app" }, body({ desired: 2, expectedDesired: 6 }), deps());
    expect(res.record.outcome).toBe("succeeded");
  });
});

describe("changeCapacity: backend errors", () => {
  it.each([
    ["ValidationError", "New SetDesiredCapacity value 16 is above max value 1 for the AutoScalingGroup."],
    ["ScalingActivityInProgress", "Scaling activity 1234 is in progress and blocks this action"],
  ])("%s is recorded as the outcome and surfaced as 502 with AWS's code and message", async (code, message) => {
    backend.nextWriteError = new BackendError(code, message, { httpStatus: 400, requestId: "aws-req-9" });
    const err = await failure(changeCapacity(operator, APP, body(), deps()));
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).status).toBe(502);
    expect((err as UpstreamError).code).toBe(code);
    expect(err.message).toBe(message);
    expect((err as UpstreamError).requestId).toBe("aws-req-9");
    const [row] = await rows();
    expect(row).toMatchObject({ outcome: "failed", errorCode: code, errorMessage: message, requestId: "aws-req-9" });
    expect((err as UpstreamError).body()).toMatchObject({ code, auditId: row!.id, outcome: "failed" });
    expect(invalidated).toContain("groups:us-east-1");
  });

  it("a timeout (no reply) is not a failure: the outcome stays open for reconciliation", async () => {
    backend.nextWriteError = new BackendError("Timeout", "us-east-1 did not answer within 10.0 s", { regional: true });
    const err = await failure(changeCapacity(operator, APP, body(), deps()));
    expect((err as UpstreamError).code).toBe("Timeout");
    expect(err.message).toContain("may or may not have been applied");
    expect((err as UpstreamError).body()).toMatchObject({ outcome: "unknown" });
    expect((await rows())[0]).toMatchObject({ outcome: "pending", errorCode: null });
  });

  it("a write that times out stays open, and a reply that arrives late still records the outcome", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      let answer!: () => void;
      backend.gate = new Promise<void>((r) => (answer = r));
      const pending = failure(changeCapacity(operator, APP, body(), deps()));
      await vi.advanceTimersByTimeAsync(20_001); // past the write timeout (10 s with a 5 s read timeout)
      const err = await pending;
      expect((err as UpstreamError).code).toBe("Timeout");
      expect((err as UpstreamError).body()).toMatchObject({ outcome: "unknown" });
      expect((await rows())[0]!.outcome).toBe("pending");
      answer();
      await vi.waitFor(async () => expect((await rows())[0]!.outcome).toBe("succeeded"));
      expect((await rows())[0]).toMatchObject({ requestId: "req-1", note: "The reply arrived after the request had timed out." });
    } finally {
      vi.useRealTimers();
    }
  });

  it("throttling answered by AWS is a definite failure", async () => {
    backend.nextWriteError = new BackendError("Throttling", "Rate exceeded", { regional: true, httpStatus: 400, requestId: "t-1" });
    await failure(changeCapacity(operator, APP, body(), deps()));
    expect((await rows())[0]).toMatchObject({ outcome: "failed", errorCode: "Throttling", errorMessage: "Rate exceeded" });
  });

  it("a group that cannot be read is refused: guardrail state unknown, no write, the backend's error", async () => {
    backend.readError = new BackendError("Throttling", "Rate exceeded", { httpStatus: 400, regional: true });
    const err = await failure(changeCapacity(operator, APP, body(), deps()));
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).code).toBe("Throttling");
    expect(err.message).toContain("Rate exceeded");
    expect(backend.writes).toHaveLength(0);
    expect((await rows())[0]).toMatchObject({ outcome: "rejected", errorCode: "Throttling" });
  });
});

describe("changeCapacity: the audit log around the call", () => {
  function failingStore(method: keyof AuditStore): AuditStore {
    return new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === method) return async () => Promise.reject(new Error("SQLITE_READONLY: attempt to write a readonly database"));
        const v = Reflect.get(target, prop, receiver);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
  }

  it("the intent is written before the backend call", async () => {
    let seen: AuditRecord[] = [];
    backend.beforeWrite = async () => {
      seen = await rows();
    };
    await changeCapacity(operator, APP, body(), deps());
    expect(seen.map((r) => r.outcome)).toEqual(["pending"]);
  });

  it("if the intent cannot be written, nothing is sent to the backend (503)", async () => {
    const err = await failure(changeCapacity(operator, APP, body(), deps({ store: failingStore("recordIntent") })));
    expect(err).toBeInstanceOf(AuditUnavailableError);
    expect((err as AuditUnavailableError).status).toBe(503);
    expect(backend.writes).toHaveLength(0);
  });

  it("if the idempotency lookup fails, nothing is sent either", async () => {
    const err = await failure(changeCapacity(operator, APP, body(), deps({ store: failingStore("findIntent") })));
    expect(err).toBeInstanceOf(AuditUnavailableError);
    expect(backend.writes).toHaveLength(0);
  });

  it("if the outcome cannot be recorded after a successful write, the operator still gets the result", async () => {
    const res = await changeCapacity(operator, APP, body(), deps({ store: failingStore("recordOutcome") }));
    expect(backend.writes).toHaveLength(1);
    expect(res.record.outcome).toBe("pending");
    expect(res.pool?.desired).toBe(16);
  });

  it("a call that dies without a reply leaves the intent pending; it shows as unknown, then is reconciled", async () => {
    backend.nextWriteError = new TypeError("socket hang up");
    backend.applyBeforeError = true; // AWS applied it; the reply was lost
    const err = await failure(changeCapacity(operator, APP, body(), deps()));
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).body()).toMatchObject({ outcome: "unknown" });
    expect((await rows())[0]!.outcome).toBe("pending");

    // 31 s later the backend cannot be read: the row reads as "outcome unknown", still pending.
    clock += 31_000;
    backend.readError = new BackendError("Timeout", "us-east-1 did not answer", { regional: true });
    const unread = await readAudit(viewer, { limit: 50 }, { store, backend, now });
    expect(unread.records[0]).toMatchObject({ outcome: "unknown", label: "outcome unknown" });
    expect((await rows())[0]!.outcome).toBe("pending");

    // Next read with the backend back: desired is 16 as asked → succeeded (reconciled).
    backend.readError = undefined;
    const read = await readAudit(viewer, { limit: 50 }, { store, backend, now });
    expect(read.records[0]).toMatchObject({ outcome: "succeeded", reconciled: true, label: "succeeded (reconciled)" });
    expect(read.records[0]!.note).toContain("desired 16");
  });

  it("a lost reply whose change did not land is reconciled to unknown with a note, not to failed", async () => {
    backend.nextWriteError = new TypeError("socket hang up");
    await failure(changeCapacity(operator, APP, body(), deps()));
    clock += 31_000;
    const read = await readAudit(viewer, { limit: 50 }, { store, backend, now });
    expect(read.records[0]).toMatchObject({ outcome: "unknown", reconciled: false, label: "outcome unknown" });
    expect(read.records[0]!.note).toContain("desired 12, not desired 16");
  });
});
