import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";

vi.mock("@/lib/backends", async () => (await import("@/test/support/services/change-harness")).backendsMock);

import { parseConfig } from "@/lib/config";
import { changeCapacity } from "@/lib/services/capacity/change-capacity";
import { runDueReverts } from "@/lib/services/reverts";
import { APP, changeHarness } from "@/test/support/services/change-harness";
import { admin, operator, shippedConfig } from "@/test/support/services/fixtures";
import { notifyEnvProblems } from "./config";
import { matchesGlob } from "./events";

// Which events a change writes to the outbox, and the configuration that routes them.

const h = changeHarness();
const notify = [
  { kind: "slack" as const, urlEnv: "CAPSTAN_SLACK_WEBHOOK_URL", events: ["capacity.*", "pool.*"] },
  {
    kind: "webhook" as const,
    urlEnv: "CAPSTAN_WEBHOOK_URL",
    secretEnv: "CAPSTAN_WEBHOOK_SECRET",
    events: ["capacity.changed"],
  },
];
const config = { ...shippedConfig(), notify };
let kicks = 0;
const deps = (extra = {}) => h.deps({ config, kick: () => void kicks++, ...extra });

async function outbox() {
  return (await h.store.deliveries(100)).map((d) => ({
    type: d.type,
    target: d.targetKind,
    data: JSON.parse(d.payload).data,
  }));
}

describe("events written with the change", () => {
  it("capacity.changed with its outcome, one row per matching target, and the delivery job nudged", async () => {
    kicks = 0;
    const r = await changeCapacity(operator, APP, h.body({ desired: 14 }), deps());
    const rows = await outbox();
    expect(rows.map((x) => x.target).sort()).toEqual(["slack", "webhook"]);
    expect(rows[0]).toMatchObject({
      type: "capacity.changed",
      data: {
        auditId: r.record.id,
        actor: "olga",
        region: "us-east-1",
        pool: "app",
        from: 12,
        to: 14,
        outcome: "succeeded",
        reason: "page load climbing",
      },
    });
    expect(kicks).toBe(1);
  });

  it("a failed change is told as failed; a refused one (409) is not told at all", async () => {
    const { BackendError } = await import("@/lib/fleet/types");
    h.backend.nextWriteError = new BackendError(
      "ValidationError",
      "New SetDesiredCapacity value 14 is above max value 12",
      { httpStatus: 400 },
    );
    await h.failure(changeCapacity(operator, APP, h.body({ desired: 14 }), deps()));
    await h.failure(changeCapacity(operator, APP, h.body({ expectedDesired: 11 }), deps()));
    const rows = await outbox();
    expect(rows.map((x) => x.data.outcome)).toEqual(["failed", "failed"]);
    expect(rows[0]!.data.errorCode).toBe("ValidationError");
  });

  it("the revert is capacity.reverted; a skipped revert is capacity.revert-skipped (Slack only: the webhook wants capacity.changed)", async () => {
    await changeCapacity(operator, APP, h.body({ revertAfterMinutes: 1 }), deps());
    h.clock += 60_000;
    await runDueReverts(deps());
    await changeCapacity(operator, APP, h.body({ desired: 16, revertAfterMinutes: 1 }), deps());
    await changeCapacity(admin, APP, h.body({ desired: 18, expectedDesired: 16 }), deps());
    h.clock += 60_000;
    await runDueReverts(deps());
    const types = (await outbox()).map((x) => `${x.type}/${x.target}`).sort();
    expect(types).toEqual([
      "capacity.changed/slack",
      "capacity.changed/slack",
      "capacity.changed/slack",
      "capacity.changed/webhook",
      "capacity.changed/webhook",
      "capacity.changed/webhook",
      "capacity.revert-skipped/slack",
      "capacity.reverted/slack",
    ]);
    const skipped = (await outbox()).find((x) => x.type === "capacity.revert-skipped")!;
    expect(skipped.data).toMatchObject({
      desired: 18,
      changedBy: "adam",
      to: 12,
      message: "desired is now 18, changed by adam: the revert to 12 did not run.",
    });
  });

  it("no targets, no rows", async () => {
    await changeCapacity(operator, APP, h.body({ desired: 14 }), h.deps());
    expect(await outbox()).toEqual([]);
  });
});

describe("notify configuration", () => {
  const yaml = (notifyYaml: string) => `${readShipped()}\nnotify:\n${notifyYaml}\n`;
  const readShipped = () => readFileSync("fleet.config.yaml", "utf8");

  it("parses the documented example, and names the field of a malformed entry", () => {
    const cfg = parseConfig(
      yaml(`  - { kind: slack, urlEnv: CAPSTAN_SLACK_WEBHOOK_URL, events: ["capacity.*", "pool.*"] }
  - { kind: webhook, urlEnv: CAPSTAN_WEBHOOK_URL, secretEnv: CAPSTAN_WEBHOOK_SECRET, events: ["*"] }`),
      "fleet.config.yaml",
    );
    expect(cfg.notify).toHaveLength(2);
    expect(() =>
      parseConfig(yaml(`  - { kind: webhook, urlEnv: CAPSTAN_WEBHOOK_URL, events: ["*"] }`), "f.yaml"),
    ).toThrow(/notify\.0\.secretEnv|notify\[0\]\.secretEnv/);
    expect(() =>
      parseConfig(yaml(`  - { kind: slack, urlEnv: "https://hooks.slack.com/x", events: ["*"] }`), "f.yaml"),
    ).toThrow(/notify.*urlEnv/);
    expect(() =>
      parseConfig(yaml(`  - { kind: slack, urlEnv: SLACK, events: ["capacity.**"] }`), "f.yaml"),
    ).toThrow(/notify.*events/);
  });

  it("start-up names the unset variable, never a value", () => {
    const env = {
      CAPSTAN_SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T/B/SECRET",
      CAPSTAN_WEBHOOK_URL: "https://example.com/hook",
    };
    expect(notifyEnvProblems({ notify }, env)).toEqual([
      "notify[1].secretEnv: CAPSTAN_WEBHOOK_SECRET is not set",
    ]);
    expect(notifyEnvProblems({ notify }, { ...env, CAPSTAN_SLACK_WEBHOOK_URL: "not a url SECRET" })).toEqual([
      "notify[0].urlEnv: CAPSTAN_SLACK_WEBHOOK_URL is not an http(s) URL",
      "notify[1].secretEnv: CAPSTAN_WEBHOOK_SECRET is not set",
    ]);
    expect(notifyEnvProblems({ notify }, { ...env, CAPSTAN_WEBHOOK_SECRET: "x".repeat(32) })).toEqual([]);
  });

  it("globs", () => {
    expect(matchesGlob("*", "pool.degraded")).toBe(true);
    expect(matchesGlob("capacity.*", "capacity.revert-skipped")).toBe(true);
    expect(matchesGlob("capacity.*", "pool.degraded")).toBe(false);
    expect(matchesGlob("standby.plan-applied", "standby.plan-applied")).toBe(true);
  });
});
