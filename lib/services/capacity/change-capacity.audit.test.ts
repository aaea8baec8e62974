import { describe, expect, it, vi } from "vitest";

// The real backend factory is never used here: every test passes its own fake.
vi.mock("@/lib/backends", async () => (await import("@/test/support/services/change-harness")).backendsMock);

import type { AuditRecord, AuditStore } from "@/lib/audit";
import { BackendError } from "@/lib/fleet/types";
import { changeCapacity } from "./change-capacity";
import { AuditUnavailableError, UpstreamError } from "@/lib/errors";
import { readAudit } from "../read-audit";
import { APP, changeHarness } from "@/test/support/services/change-harness";
import { operator, viewer } from "@/test/support/services/fixtures";

// changeCapacity when the call goes wrong: errors (and silence) from the backend, and the audit
// intent written before the call and its outcome after, including reconciling a lost reply.

const h = changeHarness();
const { deps, body, failure, rows, now } = h;

describe("changeCapacity: backend errors", () => {
  it.each([
    ["ValidationError", "New SetDesiredCapacity value 16 is above max value 1 for the AutoScalingGroup."],
    ["ScalingActivityInProgress", "Scaling activity 1234 is in progress and blocks this action"],
  ])(
    "%s is recorded as the outcome and surfaced as 502 with AWS's code and message",
    async (code, message) => {
      h.backend.nextWriteError = new BackendError(code, message, { httpStatus: 400, requestId: "aws-req-9" });
      const err = await failure(changeCapacity(operator, APP, body(), deps()));
      expect(err).toBeInstanceOf(UpstreamError);
      expect((err as UpstreamError).status).toBe(502);
      expect((err as UpstreamError).code).toBe(code);
      expect(err.message).toBe(message);
      expect((err as UpstreamError).requestId).toBe("aws-req-9");
      const [row] = await rows();
      expect(row).toMatchObject({
        outcome: "failed",
        errorCode: code,
        errorMessage: message,
        requestId: "aws-req-9",
      });
      expect((err as UpstreamError).body()).toMatchObject({ code, auditId: row!.id, outcome: "failed" });
      expect(h.invalidated).toContain("groups:us-east-1");
    },
  );

  it("a timeout (no reply) is not a failure: the outcome stays open for reconciliation", async () => {
    h.backend.nextWriteError = new BackendError("Timeout", "us-east-1 did not answer within 10.0 s", {
      regional: true,
      answered: false,
    });
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
      h.backend.gate = new Promise<void>((r) => (answer = r));
      const pending = failure(changeCapacity(operator, APP, body(), deps()));
      await vi.advanceTimersByTimeAsync(20_001); // past the write timeout (10 s with a 5 s read timeout)
      const err = await pending;
      expect((err as UpstreamError).code).toBe("Timeout");
      expect((err as UpstreamError).body()).toMatchObject({ outcome: "unknown" });
      expect((await rows())[0]!.outcome).toBe("pending");
      answer();
      await vi.waitFor(async () => expect((await rows())[0]!.outcome).toBe("succeeded"));
      expect((await rows())[0]).toMatchObject({
        requestId: "req-1",
        note: "The reply arrived after the request had timed out.",
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it("throttling answered by AWS is a definite failure", async () => {
    h.backend.nextWriteError = new BackendError("Throttling", "Rate exceeded", {
      regional: true,
      httpStatus: 400,
      requestId: "t-1",
    });
    await failure(changeCapacity(operator, APP, body(), deps()));
    expect((await rows())[0]).toMatchObject({
      outcome: "failed",
      errorCode: "Throttling",
      errorMessage: "Rate exceeded",
    });
  });

  it("a group that cannot be read is refused: guardrail state unknown, no write, the backend's error", async () => {
    h.backend.readError = new BackendError("Throttling", "Rate exceeded", {
      httpStatus: 400,
      regional: true,
    });
    const err = await failure(changeCapacity(operator, APP, body(), deps()));
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).code).toBe("Throttling");
    expect(err.message).toContain("Rate exceeded");
    expect(h.backend.writes).toHaveLength(0);
    expect((await rows())[0]).toMatchObject({ outcome: "rejected", errorCode: "Throttling" });
  });
});

describe("changeCapacity: the audit log around the call", () => {
  function failingStore(method: keyof AuditStore): AuditStore {
    return new Proxy(h.store, {
      get(target, prop, receiver) {
        if (prop === method)
          return async () =>
            Promise.reject(new Error("SQLITE_READONLY: attempt to write a readonly database"));
        const v = Reflect.get(target, prop, receiver);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
  }

  it("the intent is written before the backend call", async () => {
    let seen: AuditRecord[] = [];
    h.backend.beforeWrite = async () => {
      seen = await rows();
    };
    await changeCapacity(operator, APP, body(), deps());
    expect(seen.map((r) => r.outcome)).toEqual(["pending"]);
  });

  it("if the intent cannot be written, nothing is sent to the backend (503)", async () => {
    const err = await failure(
      changeCapacity(operator, APP, body(), deps({ store: failingStore("recordIntent") })),
    );
    expect(err).toBeInstanceOf(AuditUnavailableError);
    expect((err as AuditUnavailableError).status).toBe(503);
    expect(h.backend.writes).toHaveLength(0);
  });

  it("if the idempotency lookup fails, nothing is sent either", async () => {
    const err = await failure(
      changeCapacity(operator, APP, body(), deps({ store: failingStore("findIntent") })),
    );
    expect(err).toBeInstanceOf(AuditUnavailableError);
    expect(h.backend.writes).toHaveLength(0);
  });

  it("if the outcome cannot be recorded after a successful write, the operator still gets the result", async () => {
    const res = await changeCapacity(operator, APP, body(), deps({ store: failingStore("recordOutcome") }));
    expect(h.backend.writes).toHaveLength(1);
    expect(res.record.outcome).toBe("pending");
    expect(res.pool?.desired).toBe(16);
  });

  it("a call that dies without a reply leaves the intent pending; it shows as unknown, then is reconciled", async () => {
    h.backend.nextWriteError = new TypeError("socket hang up");
    h.backend.applyBeforeError = true; // AWS applied it; the reply was lost
    const err = await failure(changeCapacity(operator, APP, body(), deps()));
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).body()).toMatchObject({ outcome: "unknown" });
    expect((await rows())[0]!.outcome).toBe("pending");

    // 31 s later the backend cannot be read: the row reads as "outcome unknown", still pending.
    h.clock += 31_000;
    h.backend.readError = new BackendError("Timeout", "us-east-1 did not answer", {
      regional: true,
      answered: false,
    });
    const unread = await readAudit(viewer, { limit: 50 }, { store: h.store, backend: h.backend, now });
    expect(unread.records[0]).toMatchObject({ outcome: "unknown", label: "outcome unknown" });
    expect((await rows())[0]!.outcome).toBe("pending");

    // Next read with the backend back: desired is 16 as asked → succeeded (reconciled).
    h.backend.readError = undefined;
    const read = await readAudit(viewer, { limit: 50 }, { store: h.store, backend: h.backend, now });
    expect(read.records[0]).toMatchObject({
      outcome: "succeeded",
      reconciled: true,
      label: "succeeded (reconciled)",
    });
    expect(read.records[0]!.note).toContain("desired 16");
  });

  it("a lost reply whose change did not land is reconciled to unknown with a note, not to failed", async () => {
    h.backend.nextWriteError = new TypeError("socket hang up");
    await failure(changeCapacity(operator, APP, body(), deps()));
    h.clock += 31_000;
    const read = await readAudit(viewer, { limit: 50 }, { store: h.store, backend: h.backend, now });
    expect(read.records[0]).toMatchObject({
      outcome: "unknown",
      reconciled: false,
      label: "outcome unknown",
    });
    expect(read.records[0]!.note).toContain("desired 12, not desired 16");
  });
});
