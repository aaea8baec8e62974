import { expect, test } from "../fixtures";

// This server starts with CAPSTAN_SIM_FAULTS=us-west-2:down.
test("a change in an unreachable region is refused with the backend's error, recorded, and nothing is sent", async ({
  page,
  asRole,
  baseURL,
}, testInfo) => {
  const actor = `otto-${testInfo.retry}`;
  await asRole("operator", actor);
  const res = await page.request.post("/api/pools/us-west-2/app/capacity", {
    headers: { origin: baseURL! },
    data: { desired: 7, expectedDesired: 6, reason: "standby warm-up", idempotencyKey: `down-${Date.now()}` },
  });
  expect(res.status()).toBe(502);
  const body = await res.json();
  expect(body.code).toBe("NetworkingError");
  expect(body.error).toContain("connect ECONNREFUSED");
  expect(body.error).toContain("nothing was changed");

  const audit = await (await page.request.get(`/api/audit?region=us-west-2&actor=${actor}`)).json();
  expect(audit.records[0]).toMatchObject({
    outcome: "rejected",
    errorCode: "NetworkingError",
    to: 7,
    reason: "standby warm-up",
  });

  // The primary is unaffected: the same operator can still change it.
  const east = await (await page.request.get("/api/pools/us-east-1/bastion?range=1h")).json();
  const to = east.pool.desired < east.pool.max ? east.pool.desired + 1 : east.pool.desired - 1; // a retry finds it changed
  const ok = await page.request.post("/api/pools/us-east-1/bastion/capacity", {
    headers: { origin: baseURL! },
    data: {
      desired: to,
      expectedDesired: east.pool.desired,
      reason: "primary still fine",
      idempotencyKey: `up-${Date.now()}`,
    },
  });
  expect(ok.status(), await ok.text()).toBe(200);
});
