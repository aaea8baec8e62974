import "server-only";
/**
 * The client's address as the nearest proxy saw it: the last X-Forwarded-For entry (the one the
 * proxy in front of us, or Next's own server, appended; earlier entries are the client's word).
 * Used only to rate-limit signed-out refusals, so a wrong guess costs little.
 */
export function clientAddress(h: { get(name: string): string | null }): string {
  const forwarded = h.get("x-forwarded-for");
  const last = forwarded
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .pop();
  return (last ?? h.get("x-real-ip") ?? "unknown").slice(0, 64);
}
