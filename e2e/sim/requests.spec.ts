import { expect, test } from "../fixtures";

// Malformed requests against the production server: each is the client's error (4xx), never a 500.

test("bodies: 415 unless application/json, 413 past the limit; bad URLs are 400", async ({
  page,
  asRole,
  baseURL,
}) => {
  await asRole("operator", "ruth");
  const post = (path: string, body: string, type: string) =>
    page.request.post(path, { headers: { origin: baseURL!, "content-type": type }, data: body });
  const json = JSON.stringify({
    desired: 1,
    expectedDesired: 1,
    reason: "malformed request probe",
    idempotencyKey: "probe-0001",
  });

  expect((await post("/api/pools/us-east-1/bastion/capacity", json, "text/plain")).status()).toBe(415);
  expect(
    (await post("/api/pools/us-east-1/bastion/capacity", json, "application/x-www-form-urlencoded")).status(),
  ).toBe(415);
  const big = await post(
    "/api/pools/us-east-1/bastion/capacity",
    JSON.stringify({ reason: "x".repeat(100_000) }),
    "application/json",
  );
  expect(big.status()).toBe(413);
  expect((await big.json()).kind).toBe("payload_too_large");

  expect((await page.request.get("/api/pools/us-east-1/%E0%A4%A?range=1h")).status()).toBe(400);
  expect((await post("/api/pools/us-east-1/%E0%A4%A/capacity", json, "application/json")).status()).toBe(400);
  for (const range of ["constructor", "__proto__", "toString"]) {
    expect((await page.request.get(`/api/fleet?range=${range}`)).status(), range).toBe(400);
  }
});

test("an unknown target is a 404 and leaves no audit row", async ({ page, asRole, baseURL }) => {
  await asRole("viewer", "nobody-target");
  const res = await page.request.post("/api/pools/xx-nowhere-9/zzz/capacity", {
    headers: { origin: baseURL! },
    data: {
      desired: 1,
      expectedDesired: 1,
      reason: "probe an unknown pool",
      idempotencyKey: "probe-unknown-1",
    },
  });
  expect(res.status()).toBe(404);
  const audit = await (await page.request.get("/api/audit?actor=nobody-target")).json();
  expect(audit.records).toEqual([]);
});

test("a retry whose first attempt's outcome is not known yet says so in the dialog", async ({
  page,
  asRole,
  overview,
}) => {
  await asRole("operator", "paula");
  await overview.open();
  // The server's answer to such a retry (unit-tested in change-capacity.idempotency.test.ts).
  await page.route("**/api/pools/us-east-1/proxy/capacity", (route) =>
    route.fulfill({
      status: 409,
      contentType: "application/json",
      body: JSON.stringify({ kind: "outcome_pending", auditId: "a-123", outcome: "pending", error: "x" }),
    }),
  );
  await overview
    .cell("us-east-1", "proxy")
    .getByRole("button", { name: "Add one instance to proxy in us-east-1" })
    .click();
  const dialog = page.getByTestId("resize-dialog");
  await dialog.getByLabel(/Reason/).fill("retry after a crash");
  await dialog.getByRole("button", { name: "Confirm change" }).click();
  await expect(dialog.getByTestId("resize-error")).toContainText(
    "The first attempt's outcome is not known yet",
  );
  await expect(dialog.getByTestId("resize-error")).toContainText("a-123");
  await expect(dialog).toBeVisible(); // never 'submitted'
});
