import { expect, test } from "../fixtures";

// The standby plan, end to end. So that the plan does not depend on the simulated hour, the spec
// first takes two standby pools (bastion, scheduler in us-west-2) down to 0, wherever other specs
// left them: the verdict then asks for both back at 1. An admin reviews the plan on the standby
// page, someone moves bastion meanwhile, the admin applies: bastion is refused (409) and reported,
// the rest go ahead and the page follows them until they are in service.

const WEST = "us-west-2";

test("an admin applies the standby plan as one batch; a pool moved meanwhile is refused and reported", async ({
  page,
  asRole,
  baseURL,
}) => {
  test.setTimeout(120_000);
  await asRole("admin", "anna");
  for (const pool of ["bastion", "scheduler"]) {
    const g = (await (await page.request.get(`/api/pools/${WEST}/${pool}?range=1h`)).json()).pool;
    const res = await page.request.post(`/api/pools/${WEST}/${pool}/capacity`, {
      headers: { origin: baseURL! },
      // With the override: another spec may have moved the pool more than one step (max step 1).
      data: {
        desired: 0,
        expectedDesired: g.desired,
        min: 0,
        max: g.max,
        override: { confirm: pool },
        reason: "standby plan spec: start from nothing",
        idempotencyKey: `plan-setup-${pool}-${Date.now()}`,
      },
    });
    expect(res.status(), await res.text()).toBe(200);
  }

  await page.goto("/standby");
  const plan = (await (await page.request.get("/api/standby/plan")).json()) as {
    planId: string;
    region: string;
    changes: { pool: string; from: number; to: number }[];
  };
  expect(plan.region).toBe(WEST);
  expect(plan.changes).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ pool: "bastion", from: 0, to: 1 }),
      expect.objectContaining({ pool: "scheduler", from: 0, to: 1 }),
    ]),
  );
  const panel = page.getByTestId("standby-plan");
  for (const c of plan.changes)
    await expect(panel.getByTestId(`plan-row-${c.pool}`)).toContainText(`${c.from} → ${c.to}`);

  // Someone moves bastion after the plan was made.
  const bump = await page.request.post(`/api/pools/${WEST}/bastion/capacity`, {
    headers: { origin: baseURL! },
    data: {
      desired: 1,
      expectedDesired: 0,
      reason: "someone else, meanwhile",
      idempotencyKey: `moved-${Date.now()}`,
    },
  });
  expect(bump.status(), await bump.text()).toBe(200);

  await panel.getByLabel(/Reason/).fill("failover drill");
  await panel.getByRole("button", { name: /^Apply \d+ change/ }).click();
  await expect(page.getByTestId("plan-result")).toContainText(
    `Applied ${plan.changes.length - 1} of ${plan.changes.length}`,
  );
  await expect(panel.getByTestId("plan-row-bastion")).toContainText("refused (409)");
  await expect(panel.getByTestId("plan-row-bastion")).toContainText("desired is now 1");
  for (const c of plan.changes.filter((x) => x.pool !== "bastion")) {
    await expect(panel.getByTestId(`plan-row-${c.pool}`)).toContainText(`in service: ${c.to} / ${c.to}`, {
      timeout: 60_000,
    });
  }

  // One batch in the audit log: every pool of the plan, bastion's refused.
  const audit = (await (await page.request.get(`/api/audit?region=${WEST}&actor=anna&limit=100`)).json()) as {
    records: { pool: string; batchId: string | null; outcome: string }[];
  };
  const batch = audit.records.filter((r) => r.batchId);
  expect(new Set(batch.map((r) => r.batchId)).size).toBe(1);
  expect(batch.map((r) => r.pool).sort()).toEqual(plan.changes.map((c) => c.pool).sort());
  expect(batch.find((r) => r.pool === "bastion")!.outcome).toBe("rejected");
  expect(batch.find((r) => r.pool === "scheduler")!.outcome).toBe("succeeded");
});
