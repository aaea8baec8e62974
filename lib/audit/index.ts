import "server-only";
export * from "./types";
export { auditFile, auditStore, setAuditStoreForTests } from "./store";
export { SqliteAuditStore } from "./sqlite-store";
export {
  displayOutcome,
  isStalePending,
  reconcileAfterMs,
  reconcilePending,
  RECONCILE_AFTER_MS,
  type OutcomeLabel,
  type ReconcileSummary,
} from "./reconcile";
export { isInFlight, trackInFlight } from "./in-flight";
