import "server-only";
import { createHmac } from "node:crypto";
import type { NotifyEvent } from "./events";

// What goes over the wire: a Slack incoming-webhook message (Block Kit), or the generic webhook's
// signed JSON (GitHub/Stripe style: HMAC-SHA256 of "<timestamp>.<body>").

/** Slack mrkdwn: &, < and > must be escaped; everything else is literal. */
const esc = (s: unknown) =>
  String(s ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");

const OUTCOME_ICON: Record<string, string> = { succeeded: "✅", failed: "❌", unknown: "❓" };

/** One line a person reads in a channel, and the same words as the notification's fallback text. */
export function headline(e: NotifyEvent): string {
  const d = e.data;
  const where = `*${esc(d.pool)}* in *${esc(d.region)}*`;
  switch (e.type) {
    case "capacity.changed":
      return `${OUTCOME_ICON[String(d.outcome)] ?? ""} *${esc(d.actor)}* changed ${where}: desired ${esc(d.from ?? "?")} → ${esc(d.to)} — ${esc(d.outcome)}${d.revertAt ? ` (back to ${esc(d.from)} at ${esc(utc(String(d.revertAt)))})` : ""}`;
    case "capacity.reverted":
      return `↩️ Capstan reverted ${where}: desired ${esc(d.from)} → ${esc(d.to)} — ${esc(d.outcome)} (time-boxed change ended)`;
    case "capacity.revert-skipped":
      return `⚠️ The revert of ${where} to ${esc(d.to)} was skipped: ${esc(d.message)}`;
    case "pool.degraded":
      return `🔥 ${where} is degraded: ${esc(d.reason)}`;
    case "pool.recovered":
      return `💚 ${where} recovered (was degraded${d.since ? ` since ${esc(utc(String(d.since)))}` : ""})`;
    case "standby.verdict-changed":
      return `🛟 Standby ${esc(d.standby)}: ${esc(d.from)} → *${esc(d.to)}* — ${esc(d.headline)}`;
    case "standby.plan-applied":
      return `🛟 *${esc(d.actor)}* applied the standby plan in *${esc(d.region)}*: ${esc(d.applied)} applied, ${esc(d.refused)} refused${d.revertAt ? `, back at ${esc(utc(String(d.revertAt)))}` : ""}`;
  }
}

function utc(iso: string): string {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? `${new Date(t).toISOString().slice(0, 16).replace("T", " ")} UTC` : iso;
}

export function slackMessage(e: NotifyEvent): Record<string, unknown> {
  const d = e.data;
  const plain = headline(e).replace(/\*/g, "");
  const blocks: Record<string, unknown>[] = [
    { type: "section", text: { type: "mrkdwn", text: headline(e) } },
  ];
  const context: string[] = [];
  if (d.reason && e.type !== "pool.degraded") context.push(`Reason: ${esc(d.reason)}`);
  if (d.errorCode || d.errorMessage) context.push(`Error: ${esc(d.errorCode)} ${esc(d.errorMessage)}`);
  if (Array.isArray(d.changes)) {
    for (const c of d.changes as Record<string, unknown>[])
      context.push(
        `${esc(c.pool)}: ${esc(c.from)} → ${esc(c.to)} — ${esc(c.status)}${c.message ? ` (${esc(c.message)})` : ""}`,
      );
  }
  if (context.length)
    blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: context.join("\n").slice(0, 2900) }] });
  if (typeof d.url === "string") {
    blocks.push({
      type: "actions",
      elements: [
        {
          type: "button",
          text: {
            type: "plain_text",
            text: d.pool ? `Open ${String(d.pool)} in ${String(d.region)}` : "Open in Capstan",
          },
          url: d.url,
        },
      ],
    });
  }
  return { text: plain, blocks };
}

export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

/** The generic webhook: the event as JSON, with the headers a receiver verifies. */
export function signedWebhook(
  payload: string,
  event: Pick<NotifyEvent, "id" | "type">,
  secret: string,
  nowMs: number,
): SignedRequest {
  const ts = Math.floor(nowMs / 1000);
  return {
    body: payload,
    headers: {
      "content-type": "application/json",
      "user-agent": "Capstan-Notify/1",
      "x-capstan-event": event.type,
      "x-capstan-delivery": event.id,
      "x-capstan-timestamp": String(ts),
      "x-capstan-signature": `sha256=${sign(secret, ts, payload)}`,
    },
  };
}

export function sign(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}
