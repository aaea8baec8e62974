import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AuditStore } from "@/lib/audit/types";
import { createTestDatabase, testServerUrl, type TestDatabase } from "@/test/support/store/postgres";
import { pgForTest, pgStoreAt, sqliteForTest } from "@/test/support/store/stores";
import { deliverDue, FIRST_RETRY_MS } from "./deliver";
import { capacityEvent, route } from "./events";

// A local receiver, as a team would write one: it verifies the signature the way GitHub and
// Stripe receivers do, records what it got, and can answer 500 for a while. Deliveries run
// through the real outbox (SQLite, and two PostgreSQL replicas on one database).

const SECRET = "whsec_test_0123456789abcdef";
const SLACK_PATH = "/services/T000/B000/XXXXSECRETTOKEN";

interface Received {
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
  verified: boolean;
}

let server: Server;
let base: string;
let received: Received[] = [];
let failFirst = 0;

function verify(headers: IncomingMessage["headers"], body: string): boolean {
  const ts = String(headers["x-capstan-timestamp"] ?? "");
  const sig = String(headers["x-capstan-signature"] ?? "");
  if (!/^\d+$/.test(ts) || Math.abs(Date.now() / 1000 - Number(ts)) > 300 || !sig.startsWith("sha256="))
    return false;
  const want = Buffer.from(createHmac("sha256", SECRET).update(`${ts}.${body}`).digest("hex"));
  const got = Buffer.from(sig.slice("sha256=".length));
  return want.length === got.length && timingSafeEqual(want, got);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body, verified: verify(req.headers, body) });
      if (failFirst > 0) {
        failFirst--;
        res.writeHead(500).end("busy");
        return;
      }
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
afterEach(() => {
  received = [];
  failFirst = 0;
});

const env = () => ({
  HOOK_URL: `${base}/hook`,
  HOOK_SECRET: SECRET,
  SLACK_URL: `${base}${SLACK_PATH}`,
  CAPSTAN_PUBLIC_ORIGIN: "https://capstan.example.com",
});
const targets = [
  { kind: "webhook" as const, urlEnv: "HOOK_URL", secretEnv: "HOOK_SECRET", events: ["*"] },
  { kind: "slack" as const, urlEnv: "SLACK_URL", events: ["capacity.*"] },
];

function changeEvent() {
  process.env.CAPSTAN_PUBLIC_ORIGIN = "https://capstan.example.com";
  const e = capacityEvent({
    id: "audit-1",
    actor: "olga",
    role: "operator",
    action: "capacity",
    region: "us-east-1",
    pool: "app",
    group: "tave-prod-app",
    from: 12,
    to: 16,
    minTo: null,
    maxTo: null,
    reason: "p90 climbing <since 14:05>",
    override: false,
    revertOf: null,
    revertAt: "2026-11-29T12:00:00.000Z",
    batchId: null,
    outcome: "succeeded",
    completedAt: new Date().toISOString(),
  });
  delete process.env.CAPSTAN_PUBLIC_ORIGIN;
  return e;
}

async function runUntilSettled(stores: AuditStore[], clock: { t: number }) {
  for (let i = 0; i < 20; i++) {
    await Promise.all(stores.map((s) => deliverDue(s, { env: env(), now: () => new Date(clock.t) })));
    const rows = await stores[0]!.deliveries(50);
    if (rows.every((r) => r.state !== "pending")) return rows;
    clock.t += FIRST_RETRY_MS * 2 ** i; // jump to the next attempt's time, never sleep
  }
  throw new Error("deliveries did not settle");
}

describe("delivery to a local receiver", () => {
  it("the webhook is a signed JSON POST with the documented headers; Slack gets Block Kit with the pool link", async () => {
    const s = sqliteForTest();
    try {
      const event = changeEvent();
      await s.store.audit.enqueue(route(targets, event), new Date().toISOString());
      const rows = await runUntilSettled([s.store.audit], { t: Date.now() });
      expect(rows.map((r) => r.state)).toEqual(["delivered", "delivered"]);

      const hook = received.find((r) => r.path === "/hook")!;
      expect(hook.verified).toBe(true);
      expect(hook.headers).toMatchObject({
        "content-type": "application/json",
        "x-capstan-event": "capacity.changed",
        "x-capstan-delivery": event.id,
      });
      const body = JSON.parse(hook.body);
      expect(Object.keys(body).sort()).toEqual(["data", "id", "time", "type"]);
      expect(body).toMatchObject({
        id: event.id,
        type: "capacity.changed",
        data: {
          region: "us-east-1",
          pool: "app",
          actor: "olga",
          from: 12,
          to: 16,
          outcome: "succeeded",
          url: "https://capstan.example.com/pools/us-east-1/app",
        },
      });
      // A tampered body fails the receiver's check.
      expect(verify(hook.headers, hook.body.replace("16", "17"))).toBe(false);

      const slack = JSON.parse(received.find((r) => r.path === SLACK_PATH)!.body);
      expect(slack.text).toContain("olga changed app in us-east-1: desired 12 → 16 — succeeded");
      expect(JSON.stringify(slack.blocks)).toContain("Reason: p90 climbing &lt;since 14:05&gt;");
      expect(slack.blocks.at(-1)).toEqual({
        type: "actions",
        elements: [
          {
            type: "button",
            text: { type: "plain_text", text: "Open app in us-east-1" },
            url: "https://capstan.example.com/pools/us-east-1/app",
          },
        ],
      });
    } finally {
      await s.close();
    }
  });

  it("retries after 500 replies with the same delivery id, the first retry within 30 s; errors hold no URL or secret", async () => {
    const s = sqliteForTest();
    try {
      failFirst = 2;
      const event = changeEvent();
      await s.store.audit.enqueue(route([targets[0]!], event), new Date().toISOString());
      const start = Date.now();
      const clock = { t: start };
      await deliverDue(s.store.audit, { env: env(), now: () => new Date(clock.t) });
      const [afterFirst] = await s.store.audit.deliveries(5);
      expect(afterFirst).toMatchObject({
        state: "pending",
        attempts: 1,
        lastStatus: 500,
        lastError: "HTTP 500",
      });
      expect(Date.parse(afterFirst!.nextAt) - start).toBeLessThanOrEqual(30_000);
      const [done] = await runUntilSettled([s.store.audit], clock);
      expect(done).toMatchObject({ state: "delivered", attempts: 3, lastStatus: 200 });
      expect(received).toHaveLength(3);
      expect(new Set(received.map((r) => r.headers["x-capstan-delivery"]))).toEqual(new Set([event.id]));
      expect(received.every((r) => r.verified)).toBe(true);
    } finally {
      await s.close();
    }
  });

  it("gives up after an hour, marked failed; the error names the variable or the failure, never the value", async () => {
    const s = sqliteForTest();
    try {
      await s.store.audit.enqueue(route(targets, changeEvent()), new Date().toISOString());
      const clock = { t: Date.now() };
      const closed = createServer();
      await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((r) => closed.close(() => r()));
      const noSecret = {
        ...env(),
        HOOK_SECRET: "",
        SLACK_URL: `http://127.0.0.1:${port}/services/T000/B000/XXXXSECRETTOKEN`,
      };
      for (let i = 0; i < 30; i++) {
        await deliverDue(s.store.audit, { env: noSecret, now: () => new Date(clock.t) });
        clock.t += 10 * 60_000;
      }
      const rows = await s.store.audit.deliveries(5);
      expect(rows.map((r) => r.state)).toEqual(["failed", "failed"]);
      const errors = rows.map((r) => r.lastError).sort();
      expect(errors).toEqual(["HOOK_SECRET is not set", "connection failed (ECONNREFUSED)"]);
      expect(rows.every((r) => r.attempts >= 5)).toBe(true);
      expect(JSON.stringify(rows.map((r) => [r.lastError, r.urlEnv, r.secretEnv]))).not.toMatch(
        /SECRETTOKEN|whsec_|127\.0\.0\.1/,
      );
      expect(received).toEqual([]);
    } finally {
      await s.close();
    }
  });
});

const pg = await testServerUrl();
let db: TestDatabase | undefined;
beforeAll(async () => {
  if (pg) db = await createTestDatabase(pg, "notify");
});
afterAll(async () => {
  await db?.drop();
});

describe.skipIf(!pg)("two replicas on PostgreSQL", () => {
  it("deliver every event exactly once between them, retries included", async () => {
    const a = await pgForTest(db!.url);
    const b = pgStoreAt(a.url);
    await b.ready;
    try {
      failFirst = 3;
      const events = Array.from({ length: 12 }, () => changeEvent());
      for (const e of events) await a.store.audit.enqueue(route([targets[0]!], e), new Date().toISOString());
      const rows = await runUntilSettled([a.store.audit, b.audit, a.store.audit, b.audit], { t: Date.now() });
      expect(rows.every((r) => r.state === "delivered")).toBe(true);
      const ok = received.filter((_, i) => i >= 3);
      expect(ok).toHaveLength(12);
      expect(new Set(ok.map((r) => r.headers["x-capstan-delivery"])).size).toBe(12);
      expect(received).toHaveLength(15);
      expect(received.every((r) => r.verified)).toBe(true);
    } finally {
      await b.close();
      await a.close();
    }
  });
});
