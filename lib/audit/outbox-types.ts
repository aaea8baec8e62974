import "server-only";
import type { OutboxEntry } from "@/lib/audit/outbox";

// The notification outbox as the store keeps it: deliveries, their results, and the store's side.

/** One event on its way to one target (the outbox row), as the admin page lists it. */
export interface Delivery {
  id: string;
  eventId: string;
  type: string;
  targetKind: "slack" | "webhook";
  /** The variable naming the URL (never the URL itself). */
  urlEnv: string;
  secretEnv: string | null;
  payload: string;
  state: "pending" | "delivered" | "failed";
  attempts: number;
  nextAt: string;
  lastStatus: number | null;
  /** Without URLs or secrets: "HTTP 500", "timed out after 5 s", "connection refused". */
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  /** Set on a claimed row: the token that lets its claimer (only) record the result. */
  claim: string | null;
}

export type DeliveryResult =
  | { delivered: true; at: string; status: number }
  | {
      delivered: false;
      at: string;
      status: number | null;
      error: string;
      /** null: give up (failed). */ nextAt: string | null;
    };

/** The notification outbox, in the same database as the audit log (same transactions). */
export interface OutboxStore {
  /** Events not tied to an audit row (a pool's status changed). Duplicates (same event and target) are ignored. */
  enqueue(events: readonly OutboxEntry[], now: string): Promise<void>;
  /**
   * Claim up to `limit` rows due at `now` that no one else holds, leasing them until `leaseUntil`
   * and counting the attempt. With PostgreSQL two replicas never claim the same row (SKIP LOCKED).
   */
  claimDeliveries(now: string, leaseUntil: string, limit: number): Promise<Delivery[]>;
  /** Record an attempt's result, only if the claim is still ours and the row still pending. */
  finishDelivery(id: string, claim: string, result: DeliveryResult): Promise<boolean>;
  /** Newest first. */
  deliveries(limit: number): Promise<Delivery[]>;
  /**
   * Compare-and-replace the last seen value of `key`; when it changed, `events(previous)` are
   * enqueued in the same transaction. Returns the previous value (null: first seen) and whether
   * it changed. One change is one event, whichever replica sees it first.
   */
  observe(
    key: string,
    value: string,
    now: string,
    events: (previous: { value: string; since: string } | null) => OutboxEntry[],
  ): Promise<{ changed: boolean; previous: { value: string; since: string } | null }>;
}
