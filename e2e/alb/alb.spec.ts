import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { startStandalone, waitHealthy, type StandaloneServer } from "../support/standalone";
import { ALB_ARN, ALB_CLIENT, ALB_ISSUER, freePort, startAlbStandIn, type AlbStandIn } from "./alb-standin";

// ALB sign-in in a browser: the production server with auth.mode: alb behind a local stand-in
// for the load balancer (./alb-standin.ts), which signs x-amzn-oidc-data with a local key and
// serves its public key the way AWS does.

test.describe.configure({ mode: "serial" });

let alb: AlbStandIn;
let server: StandaloneServer;
let dir: string;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const port = await freePort();
  alb = await startAlbStandIn(port);
  dir = mkdtempSync(path.join(os.tmpdir(), "capstan-alb-e2e-"));
  const auth = `auth: { mode: alb, alb: { arns: ["${ALB_ARN}"], roles: { ops: operator, staff: viewer }, issuer: "${ALB_ISSUER}", clientId: ${ALB_CLIENT}, testKeyBaseUrl: "${alb.keyBaseUrl}" } }\n`;
  const config = readFileSync("fleet.config.yaml", "utf8").replace(/^auth:\n(?: {2}.*\n)+/m, auth);
  expect(config).toContain(auth);
  writeFileSync(path.join(dir, "fleet.yaml"), config);
  server = startStandalone({
    name: "alb",
    port,
    config: path.join(dir, "fleet.yaml"),
    dataDir: path.join(dir, "data"),
    // The key server is local: start-up refuses testKeyBaseUrl in production unless told this is a test.
    env: {
      CAPSTAN_ALLOW_TEST_KEYS: "1",
      CAPSTAN_SESSION_SECRET: "alb-e2e-session-secret-0123456789abcdef",
      CAPSTAN_SIM_WARMUP_SECONDS: "8",
    },
  });
  await waitHealthy(server, 90_000);
});

test.afterAll(async () => {
  await server?.stop();
  await alb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test.beforeEach(() => {
  alb.mode = "valid";
  alb.user = { email: "ana@example.com", groups: ["ops"] };
});

test("signs in through the load balancer and bumps a pool", async ({ page }) => {
  await page.goto(`${alb.url}/`);
  await expect(page.getByRole("heading", { name: "Fleet overview" })).toBeVisible();
  await expect(page.getByTestId("identity")).toHaveText(/ana@example\.com\s*· operator/);
  expect(alb.keyFetches.filter((u) => u.startsWith("/keys/us-east-1/"))).toHaveLength(1); // one key fetch, then cached

  const cell = page.getByTestId("cell-us-east-1-worker-email");
  const from = (await (await page.request.get(`${alb.url}/api/pools/us-east-1/worker-email?range=1h`)).json())
    .pool.desired as number;
  await cell.getByRole("button", { name: "Add one instance to worker-email in us-east-1" }).click();
  const dialog = page.getByTestId("resize-dialog");
  await expect(dialog.getByLabel("Desired")).toHaveValue(String(from + 1));
  await dialog.getByLabel(/Reason/).fill("alb sign-in end-to-end");
  await dialog.getByRole("button", { name: "Confirm change" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("status")).toContainText(`Desired ${from} → ${from + 1}`);

  const audit = await (await page.request.get(`${alb.url}/api/audit?pool=worker-email`)).json();
  expect(audit.records[0]).toMatchObject({
    actor: "ana@example.com",
    role: "operator",
    from,
    to: from + 1,
    outcome: "succeeded",
  });
});

for (const mode of ["expired", "foreign"] as const) {
  test(`refuses ${mode === "expired" ? "an expired token" : "a token from a foreign signer"}: signed out, nothing changes`, async ({
    page,
  }) => {
    alb.mode = mode;
    const fleet = await page.request.get(`${alb.url}/api/fleet`);
    expect(fleet.status()).toBe(401);
    const change = await page.request.post(`${alb.url}/api/pools/us-east-1/worker-email/capacity`, {
      headers: { origin: alb.url },
      data: { desired: 1, expectedDesired: 1, reason: "forged token", idempotencyKey: `forged-${mode}-0001` },
    });
    expect(change.status()).toBe(401);
    await page.goto(`${alb.url}/`);
    await expect(page.getByText("Sign-in happens at the load balancer")).toBeVisible();
    await expect(page.getByTestId("identity")).toHaveCount(0);
  });
}

test("a person whose groups map to no role is signed in but refused (403), and the refused change is audited", async ({
  page,
}) => {
  alb.user = { email: "carl@example.com", groups: ["contractors"] };
  expect((await page.request.get(`${alb.url}/api/fleet`)).status()).toBe(403);
  const change = await page.request.post(`${alb.url}/api/pools/us-east-1/worker-email/capacity`, {
    headers: { origin: alb.url },
    data: { desired: 9, expectedDesired: 1, reason: "no role here", idempotencyKey: "no-role-alb-0001" },
  });
  expect(change.status()).toBe(403);
  await page.goto(`${alb.url}/`);
  await expect(page.getByRole("heading", { name: "No access to Capstan" })).toBeVisible();
  await expect(page.getByText("You are signed in as carl@example.com")).toBeVisible();

  alb.user = { email: "ana@example.com", groups: ["ops"] };
  const audit = await (
    await page.request.get(`${alb.url}/api/audit?actor=${encodeURIComponent("carl@example.com")}`)
  ).json();
  expect(audit.records).toHaveLength(1);
  expect(audit.records[0]).toMatchObject({
    actor: "carl@example.com",
    role: null,
    outcome: "denied",
    pool: "worker-email",
  });
});
