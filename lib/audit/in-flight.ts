import "server-only";
// Intents whose backend call is still running in this process. Reconciliation skips them: their
// outcome is on its way, and deciding it from the group's state now would race the real reply.
const holder = globalThis as unknown as { __capstanAuditInFlight?: Set<string> };

function inFlight(): Set<string> {
  holder.__capstanAuditInFlight ??= new Set();
  return holder.__capstanAuditInFlight;
}

/** Mark an intent as in flight; call the returned function once its outcome is settled. */
export function trackInFlight(id: string): () => void {
  inFlight().add(id);
  return () => {
    inFlight().delete(id);
  };
}

export function isInFlight(id: string): boolean {
  return inFlight().has(id);
}
