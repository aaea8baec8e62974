import { expect, test } from "../fixtures";

// The standby plan, end to end: an admin reviews the plan on the standby page, someone moves one
// of its pools meanwhile, the admin applies: that pool is refused (409) and reported, the others
// go ahead and the page follows them until they are in service. Runs last among the sim specs
// that touch the standby region (file order), and changes only the standby region.

test("an admin applies the standby plan as one batch; a pool moved meanwhile is refused and reported", async ({ page, asRole, baseURL }) => {
  test.setTimeout(120_000);
  await asRole("admin", "anna");
  await page.goto("/standby");
  const plan = (await (await page.request.get("/api/standby/plan")).json()) as { planId: string; region: string; changes: { pool: string; from: number; to: number }[] };
  const panel = page.getByTestId("standby-plan");
  if (plan.changes.length === 0) {
    // The simulated load needs nothing in the standby at this hour: the page says so, and applying an empty plan changes nothing.
    await expect(panel).toContainText("there is no plan to apply");
    const res = await page.request.post("/api/standby/plan", { headers: { origin: baseURL! }, data: { planId: plan.planId, reason: "drill with nothing to do" } });
    expect((await res.json()).results).toEqual([]);
    return;
  }
  for (const c of plan.changes) await expect(panel.getByTestId(`plan-row-${c.pool}`)).toContainText(`${c.from} → ${c.to}`);

  // Someone moves the first pool after the plan was made.
  const moved = plan.changes[0]!;
  const bump = await page.request.post(`/api/pools/${plan.region}/${moved.pool}/capacity`, {
    headers: { origin: baseURL! },
    data: { desired: moved.from + 1, expectedDesired: moved.from, reason: "someone else, meanwhile", idempotencyKey: `moved-${Date.now()}` },
  });
  expect(bump.status(), await bump.text()).toBe(200);

  await panel.getByLabel(/Reason/).fill("failover drill");
  await panel.getByRole("button", { name: /^Apply \d+ change/ }).click();
  await expect(page.getByTestId("plan-result")).toContainText(`Applied ${plan.changes.length - 1} of ${plan.changes.length}`);
  await expect(panel.getByTestId(`plan-row-${moved.pool}`)).toContainText(`refused (409)`);
  await expect(panel.getByTestId(`plan-row-${moved.pool}`)).toContainText(`desired is now ${moved.from + 1}`);
  for (const c of plan.changes.slice(1)) {
    await expect(panel.getByTestId(`plan-row-${c.pool}`)).toContainText(`in service: ${c.to} / ${c.to}`, { timeout: 60_000 });
  }

  // One batch in the audit log.
  const audit = (await (await page.request.get(`/api/audit?region=${plan.region}&actor=anna&limit=50`)).json()) as { records: { pool: string; batchId: string | null; outcome: string }[] };
  const batch = audit.records.filter((r) => r.batchId);
  expect(new Set(batch.map((r) => r.batchId)).size).toBe(1);
  expect(batch.map((r) => r.pool).sort()).toEqual(plan.changes.map((c) => c.pool).sort());
});
