import { expect, REFERENCE_POOLS, test } from "../fixtures";

// This server starts with CAPSTAN_SIM_FAULTS=us-west-2:down.
test("with the standby region down, every primary pool is on screen and the standby column shows the error", async ({
  page,
  asRole,
  overview,
}) => {
  await asRole("viewer");
  await overview.open();
  for (const pool of REFERENCE_POOLS) {
    await expect(overview.cell("us-east-1", pool).getByTestId("capacity")).toHaveText(/^\d+ \/ \d+/);
    await expect(overview.cell("us-west-2", pool)).toContainText("unavailable: NetworkingError");
  }
  await expect(page.getByTestId("region-header-us-west-2")).toContainText("error");
  await expect(page.getByTestId("region-header-us-west-2").getByRole("alert")).toContainText(
    "NetworkingError",
  );

  const fleet = await (await page.request.get("/api/fleet")).json();
  const west = fleet.regions.find((r: { region: string }) => r.region === "us-west-2");
  expect(west.status).toBe("error");
  expect(west.error.code).toBe("NetworkingError");
  expect(fleet.regions.find((r: { region: string }) => r.region === "us-east-1").pools).toHaveLength(8);

  await page.goto("/standby");
  await expect(page.getByTestId("standby-verdict")).toContainText(/cannot take over/i);
  await expect(page.getByTestId("standby-row-app")).toContainText("standby region unreachable");
});
