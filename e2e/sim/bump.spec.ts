import { expect, signIn, test } from "../fixtures";

// One server, one simulated fleet: each test bumps a different pool so they never interfere.

async function currentDesired(
  request: import("@playwright/test").APIRequestContext,
  region: string,
  pool: string,
): Promise<number> {
  const body = await (await request.get(`/api/pools/${region}/${pool}?range=1h`)).json();
  return body.pool.desired;
}

test.describe("bump a pool", () => {
  test("an operator adds two instances to app: preview, confirm, pending → in service, audit row, graph marker", async ({
    page,
    asRole,
    overview,
  }) => {
    await asRole("operator", "olivia");
    await overview.open();
    const cell = overview.cell("us-east-1", "app");
    const from = await currentDesired(page.request, "us-east-1", "app");
    await expect(cell.getByTestId("capacity")).toHaveText(new RegExp(`^${from} / ${from}`));

    await cell.getByRole("button", { name: "Add one instance to app in us-east-1" }).click();
    const dialog = page.getByTestId("resize-dialog");
    await expect(dialog).toBeVisible();
    await dialog.getByLabel("Desired").fill(String(from + 2));
    await expect(dialog.getByTestId("resize-preview")).toContainText(
      `Desired ${from} → ${from + 2} (+2, +${Math.round((2 / from) * 100)} %)`,
    );
    await expect(dialog.getByTestId("resize-preview")).toContainText("+$0.40 per hour");
    await dialog.getByLabel(/Reason/).fill("p90 page load climbing");
    await dialog.getByLabel(/Reason/).press("Enter");
    await expect(dialog).toBeHidden();
    await expect(page.getByRole("status")).toContainText(`Desired ${from} → ${from + 2}`);

    // In flight: two pending, then all in service, without reloading.
    await expect(cell).toContainText("+2 pending");
    await expect(cell.getByTestId("capacity")).toHaveText(`${from + 2} / ${from + 2}`, { timeout: 30_000 });

    await page.goto("/audit?pool=app");
    const row = page.getByTestId("audit-row").filter({ hasText: "olivia" }).first();
    await expect(row).toContainText(`${from} → ${from + 2}`);
    await expect(row).toContainText("p90 page load climbing");
    await expect(row).toHaveAttribute("data-outcome", "succeeded");

    await page.goto("/pools/us-east-1/app?range=1h");
    const marker = page.getByTestId("chart-capacity").getByTestId("capacity-marker").first();
    await expect(marker).toBeVisible();
    await expect(marker.locator("title")).toContainText(`olivia: ${from} → ${from + 2}`);
    await expect(page.getByTestId("activities")).toContainText("Launching a new EC2 instance");
  });

  test("a stale page gets the conflict message with the current value", async ({
    page,
    asRole,
    overview,
    baseURL,
    playwright,
  }) => {
    await asRole("operator", "sam");
    await overview.open();
    const cell = overview.cell("us-east-1", "worker-default");
    await expect(cell.getByTestId("capacity")).toHaveText(/^\d+ \/ \d+/);
    const seen = await currentDesired(page.request, "us-east-1", "worker-default");
    await overview.page.getByRole("button", { name: "Pause refresh" }).click();

    // Someone else changes the pool meanwhile.
    const other = await playwright.request.newContext({ baseURL });
    await signIn(other, baseURL!, "rita", "operator");
    const res = await other.post("/api/pools/us-east-1/worker-default/capacity", {
      headers: { origin: baseURL! },
      data: {
        desired: seen + 1,
        expectedDesired: seen,
        reason: "calendar burst",
        idempotencyKey: `other-${Date.now()}`,
      },
    });
    expect(res.status(), await res.text()).toBe(200);

    await cell.getByRole("button", { name: "Add one instance to worker-default in us-east-1" }).click();
    const dialog = page.getByTestId("resize-dialog");
    await dialog.getByLabel(/Reason/).fill("backlog growing");
    await dialog.getByRole("button", { name: "Confirm change" }).click();
    await expect(dialog.getByTestId("resize-error")).toContainText(`desired is now ${seen + 1}`);
    expect(await currentDesired(page.request, "us-east-1", "worker-default")).toBe(seen + 1);
    await other.dispose();
  });

  test("an out-of-range value gets the field error, in the form and from the API", async ({
    page,
    asRole,
  }) => {
    await asRole("admin", "ada");
    await page.goto("/pools/us-east-1/proxy?range=1h");
    await page.getByLabel(/^Desired \(now/).fill("13");
    await page.getByRole("button", { name: /Review change/ }).click();
    const dialog = page.getByTestId("resize-dialog");
    await expect(dialog.locator("#desired-error")).toHaveText("must be at most the maximum (max 12)");
    await expect(dialog.getByRole("button", { name: "Confirm change" })).toBeDisabled();
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();

    const desired = await currentDesired(page.request, "us-east-1", "proxy");
    const res = await page.request.post("/api/pools/us-east-1/proxy/capacity", {
      headers: { origin: new URL(page.url()).origin },
      data: {
        desired: 13,
        expectedDesired: desired,
        reason: "testing bounds",
        idempotencyKey: `bounds-${Date.now()}`,
      },
    });
    expect(res.status()).toBe(400);
    expect((await res.json()).fields.desired).toMatch(/max 12/);
    expect(await currentDesired(page.request, "us-east-1", "proxy")).toBe(desired);
  });

  test("a double-clicked submit makes one change", async ({ page, asRole, overview }, testInfo) => {
    const actor = `dora-${testInfo.retry}`;
    await asRole("operator", actor);
    await overview.open();
    const cell = overview.cell("us-west-2", "public-site");
    await expect(cell.getByTestId("capacity")).toHaveText(/^\d+ \/ \d+/);
    const from = await currentDesired(page.request, "us-west-2", "public-site");
    await cell.getByRole("button", { name: "Add one instance to public-site in us-west-2" }).click();
    const dialog = page.getByTestId("resize-dialog");
    await dialog.getByLabel(/Reason/).fill("standby warm-up drill");
    await dialog.getByRole("button", { name: "Confirm change" }).dblclick();
    await expect(dialog).toBeHidden();
    await expect(cell.getByTestId("capacity")).toContainText(`${from + 1} /`);
    expect(await currentDesired(page.request, "us-west-2", "public-site")).toBe(from + 1);
    const audit = await (await page.request.get(`/api/audit?pool=public-site&actor=${actor}`)).json();
    expect(audit.records).toHaveLength(1);
  });

  test("a submit whose reply was lost, sent again, makes one change (same idempotency key)", async ({
    page,
    asRole,
    overview,
  }, testInfo) => {
    const actor = `lou-${testInfo.retry}`;
    await asRole("operator", actor);
    await overview.open();
    const cell = overview.cell("us-west-2", "worker-email");
    await expect(cell.getByTestId("capacity")).toHaveText(/^\d+ \/ \d+/);
    const from = await currentDesired(page.request, "us-west-2", "worker-email");
    // The first POST reaches the server and changes the pool, but the browser never sees the reply.
    const bodies: string[] = [];
    let dropped = false;
    await page.route("**/api/pools/us-west-2/worker-email/capacity", async (route) => {
      bodies.push(route.request().postData() ?? "");
      if (dropped) return route.continue();
      dropped = true;
      await route.fetch();
      await route.abort("connectionreset");
    });
    await cell.getByRole("button", { name: "Add one instance to worker-email in us-west-2" }).click();
    const dialog = page.getByTestId("resize-dialog");
    await dialog.getByLabel(/Reason/).fill("queue growing");
    await dialog.getByRole("button", { name: "Confirm change" }).click();
    await expect(dialog.getByTestId("resize-error")).toContainText("Network error");
    await dialog.getByRole("button", { name: "Confirm change" }).click();
    await expect(dialog).toBeHidden();
    expect(bodies).toHaveLength(2);
    expect(JSON.parse(bodies[1]!).idempotencyKey).toBe(JSON.parse(bodies[0]!).idempotencyKey);
    expect(await currentDesired(page.request, "us-west-2", "worker-email")).toBe(from + 1);
    const audit = await (await page.request.get(`/api/audit?pool=worker-email&actor=${actor}`)).json();
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]).toMatchObject({ from, to: from + 1, outcome: "succeeded" });
  });

  test("a viewer sees no controls and the API answers 403", async ({ page, asRole, overview }) => {
    await asRole("viewer", "vic");
    await overview.open();
    await expect(overview.cell("us-east-1", "app").getByTestId("capacity")).toHaveText(/^\d+ \/ \d+/);
    await expect(page.getByRole("button", { name: /Add one instance/ })).toHaveCount(0);
    await page.goto("/pools/us-east-1/app");
    await expect(page.getByTestId("stat-capacity")).toBeVisible();
    await expect(page.getByRole("button", { name: /Review change/ })).toHaveCount(0);
    const desired = await currentDesired(page.request, "us-east-1", "bastion");
    const res = await page.request.post("/api/pools/us-east-1/bastion/capacity", {
      headers: { origin: new URL(page.url()).origin },
      data: {
        desired: desired + 1,
        expectedDesired: desired,
        reason: "should fail",
        idempotencyKey: `viewer-${Date.now()}`,
      },
    });
    expect(res.status()).toBe(403);
  });

  test("a POST without an Origin header or with a foreign one is refused", async ({
    page,
    asRole,
    baseURL,
  }) => {
    await asRole("operator", "cross");
    const desired = await currentDesired(page.request, "us-east-1", "worker-email");
    const body = {
      desired: desired + 1,
      expectedDesired: desired,
      reason: "csrf probe",
      idempotencyKey: `csrf-${Date.now()}`,
    };
    const probes: Record<string, string>[] = [{}, { origin: "https://evil.example" }, { origin: "null" }];
    for (const headers of probes) {
      const res = await page.request.post("/api/pools/us-east-1/worker-email/capacity", {
        headers,
        data: body,
      });
      expect(res.status(), JSON.stringify(headers)).toBe(403);
    }
    expect(await currentDesired(page.request, "us-east-1", "worker-email")).toBe(desired);
    expect(baseURL).toBeTruthy();
  });

  test("an admin goes beyond a guardrail only by typing the pool id", async ({ page, asRole }) => {
    await asRole("admin", "ada");
    await page.goto("/pools/us-west-2/app?range=1h");
    const from = await currentDesired(page.request, "us-west-2", "app");
    await page.getByLabel(/^Desired \(now/).fill(String(from + 10));
    await page.getByRole("button", { name: /Review change/ }).click();
    const dialog = page.getByTestId("resize-dialog");
    await expect(dialog.getByTestId("resize-warnings")).toContainText("more than the maximum step of 8");
    await dialog.getByLabel(/Reason/).fill("failover drill: standby to primary size");
    await dialog.getByRole("button", { name: "Confirm change" }).click();
    await expect(dialog.locator("#override-error")).toHaveText("type app to override the guardrails");
    expect(await currentDesired(page.request, "us-west-2", "app")).toBe(from);

    await dialog.getByLabel("Type app to override the guardrail").fill("app");
    await dialog.getByRole("button", { name: "Confirm change" }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId("stat-capacity")).toContainText(`${from + 10} /`);
    const audit = await (await page.request.get("/api/audit?pool=app&region=us-west-2&actor=ada")).json();
    expect(audit.records[0]).toMatchObject({ from, to: from + 10, override: true, outcome: "succeeded" });
  });
});
