import "server-only";
import type { Delivery, DeliveryResult, OutboxStore } from "@/lib/audit/types";
import type { NotifyEvent } from "./events";
import { signedWebhook, slackMessage } from "./format";

// Sending what the outbox holds. A claimed row is POSTed with a timeout; a 2xx marks it delivered
// (only its claimer can), anything else schedules the next attempt with exponential backoff — the
// first retry within 30 s — until an hour after the event, when it is marked failed. Errors are
// described without the URL or the secret: they are shown to admins.

export const FIRST_RETRY_MS = 10_000;
export const MAX_RETRY_MS = 10 * 60_000;
export const GIVE_UP_AFTER_MS = 60 * 60_000;
export const SEND_TIMEOUT_MS = 5_000;
/** Longer than a send can take: a claimed row is not claimed again while its claimer may still be sending. */
export const LEASE_MS = 30_000;

export interface DeliverOptions {
  now?: () => Date;
  env?: Record<string, string | undefined>;
  fetch?: typeof fetch;
  timeoutMs?: number;
  limit?: number;
}

export interface DeliverSummary {
  delivered: number;
  retrying: number;
  failed: number;
}

/** Delay before attempt `attempts + 1`: 10 s, 20 s, 40 s … up to 10 min. */
export function backoffMs(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), MAX_RETRY_MS);
}

export async function deliverDue(store: OutboxStore, opts: DeliverOptions = {}): Promise<DeliverSummary> {
  const now = opts.now ?? (() => new Date());
  const summary: DeliverSummary = { delivered: 0, retrying: 0, failed: 0 };
  for (;;) {
    const t = now();
    const batch = await store.claimDeliveries(
      t.toISOString(),
      new Date(t.getTime() + LEASE_MS).toISOString(),
      opts.limit ?? 20,
    );
    if (batch.length === 0) return summary;
    await Promise.all(
      batch.map(async (d) => {
        const result = await attempt(d, opts, now);
        await store.finishDelivery(d.id, d.claim!, result);
        if (result.delivered) summary.delivered++;
        else if (result.nextAt) summary.retrying++;
        else summary.failed++;
      }),
    );
    if (batch.length < (opts.limit ?? 20)) return summary;
  }
}

async function attempt(d: Delivery, opts: DeliverOptions, now: () => Date): Promise<DeliveryResult> {
  const env = opts.env ?? process.env;
  const sent = await send(d, env, opts.fetch ?? fetch, opts.timeoutMs ?? SEND_TIMEOUT_MS, now);
  const at = now();
  if (sent.ok) return { delivered: true, at: at.toISOString(), status: sent.status! };
  const next = at.getTime() + backoffMs(d.attempts);
  const giveUp = next > Date.parse(d.createdAt) + GIVE_UP_AFTER_MS;
  return {
    delivered: false,
    at: at.toISOString(),
    status: sent.status,
    error: sent.error!,
    nextAt: giveUp ? null : new Date(next).toISOString(),
  };
}

async function send(
  d: Delivery,
  env: Record<string, string | undefined>,
  doFetch: typeof fetch,
  timeoutMs: number,
  now: () => Date,
): Promise<{ ok: boolean; status: number | null; error?: string }> {
  const url = env[d.urlEnv];
  if (!url) return { ok: false, status: null, error: `${d.urlEnv} is not set` };
  let body: string;
  let headers: Record<string, string>;
  const event = JSON.parse(d.payload) as NotifyEvent;
  if (d.targetKind === "slack") {
    body = JSON.stringify(slackMessage(event));
    headers = { "content-type": "application/json" };
  } else {
    const secret = d.secretEnv ? env[d.secretEnv] : undefined;
    if (!secret) return { ok: false, status: null, error: `${d.secretEnv ?? "secretEnv"} is not set` };
    ({ body, headers } = signedWebhook(d.payload, event, secret, now().getTime()));
  }
  try {
    const res = await doFetch(url, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "manual",
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok
      ? { ok: true, status: res.status }
      : { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (err) {
    return { ok: false, status: null, error: describe(err, timeoutMs) };
  }
}

/** Never the URL (it may carry a token, as Slack's do) nor the message of a library that might quote it. */
function describe(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: string; errors?: { code?: string }[] } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError")
    return `timed out after ${Math.round(timeoutMs / 1000)} s`;
  const code = e?.cause?.code ?? e?.cause?.errors?.[0]?.code;
  return code && /^[A-Z_]+$/.test(code) ? `connection failed (${code})` : "connection failed";
}
