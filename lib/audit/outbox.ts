import "server-only";
import type { NotifyTarget } from "@/lib/config/schema";

// What the outbox keeps, in the store's words: lib/notify makes the entries (events.ts) and
// delivers them (deliver.ts); the stores only write and claim them, so they need these types and
// nothing else of lib/notify.

export const EVENT_TYPES = [
  "capacity.changed",
  "capacity.reverted",
  "capacity.revert-skipped",
  "pool.degraded",
  "pool.recovered",
  "standby.verdict-changed",
  "standby.plan-applied",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** One event for one target: what the outbox keeps. */
export interface OutboxEntry {
  eventId: string;
  type: EventType;
  targetKind: NotifyTarget["kind"];
  urlEnv: string;
  secretEnv: string | null;
  /** The event as JSON text: the webhook body, and what the Slack message is made from. */
  payload: string;
}
