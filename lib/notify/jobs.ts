import "server-only";
import { getStore } from "@/lib/store";
import { deliverDue, type DeliverSummary } from "./deliver";

// The delivery job: on every replica, every background interval, and right after an event is
// written (without awaiting it: a notification never delays a change). Replicas share the work
// through the outbox's claims, so each row is sent by one of them at a time.

let running: Promise<DeliverSummary | null> | null = null;
let again = false;

/** Send what is due now. Never throws; a call while a run is going schedules one more run. */
export function deliveriesNow(): Promise<DeliverSummary | null> {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    const store = getStore();
    await store.ready;
    return deliverDue(store.audit);
  })()
    .catch((e: unknown) => {
      console.error(`capstan: notification delivery failed (${e instanceof Error ? e.message : String(e)})`);
      return null;
    })
    .finally(() => {
      running = null;
      if (again) {
        again = false;
        void deliveriesNow();
      }
    });
  return running;
}

/** After writing events: deliver soon, off the request path. */
export function kickDeliveries(): void {
  setTimeout(() => void deliveriesNow(), 0).unref?.();
}
