import { readFileSync } from "node:fs";
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { MOTO_CREDENTIALS, MOTO_FLEET, MOTO_PRIMARY, MOTO_STANDBY, motoFleetPools } from "@/test/support/aws";
import { expect, test } from "../fixtures";
import { AWS_E2E_STATE_FILE, AWS_E2E_TOKEN_NAME } from "./env";

// The production build with `backend: aws` against the moto emulator (e2e/aws/moto-server.ts
// starts and seeds it; the fleet is test/support/aws/fleet.ts). The browser is signed in
// with an API token (playwright.config.ts, extraHTTPHeaders), which also covers the page's fetches.
// Moto's quirks: instances are InService as soon as desired changes (so "desired / in service"
// settles at once) and scaling activities are always empty, so neither is asserted here.

const REGIONS = [MOTO_PRIMARY, MOTO_STANDBY];

/** Reads a group straight from the emulator, not through Capstan. */
async function emulatorGroup(region: string, name: string) {
  const { url } = JSON.parse(readFileSync(AWS_E2E_STATE_FILE, "utf8")) as { url: string };
  const client = new AutoScalingClient({
    region,
    endpoint: url,
    credentials: MOTO_CREDENTIALS,
    maxAttempts: 1,
  });
  try {
    const out = await client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
    const g = out.AutoScalingGroups?.[0];
    if (!g) throw new Error(`${name} not found in ${region}`);
    return { desired: g.DesiredCapacity, instances: g.Instances?.length ?? 0 };
  } finally {
    client.destroy();
  }
}

test("the overview shows the emulator's groups in both regions, as seeded", async ({ page, overview }) => {
  await overview.open();
  const pools = motoFleetPools();
  // Tagged pools, the pool only the configuration names (legacy) and the tagged pool the
  // configuration does not know (adhoc); never a group that is nobody's.
  await expect(page.locator('[data-testid^="pool-row-"]')).toHaveCount(pools.length);
  for (const region of REGIONS) {
    await expect(page.getByTestId(`region-header-${region}`)).not.toContainText("error");
  }
  for (const { poolId, groups } of pools) {
    await expect(overview.row(poolId)).toBeVisible();
    for (const region of REGIONS) {
      const cell = overview.cell(region, poolId);
      const g = groups[region];
      if (!g) {
        await expect(cell).toHaveText("no group in this region");
        continue;
      }
      await expect(cell.getByTestId("capacity"), `${poolId} in ${region}`).toHaveText(
        `${g.desired} / ${g.desired}`,
      );
      await expect(cell, `${poolId} in ${region}`).toContainText(`${g.min}–${g.max}`);
      if (g.policies) await expect(cell).toContainText("⚙ policy");
      else if (g.scheduled) await expect(cell).toContainText("⚙ scheduled");
    }
  }
  const unrelated = Object.values(MOTO_FLEET)
    .flat()
    .filter((g) => g.name.startsWith("unrelated"));
  expect(unrelated.length).toBeGreaterThan(0);
  await expect(page.getByTestId("fleet-table")).not.toContainText("unrelated");

  // The seeded CPU of web in the primary region (latest minute: average of 39 and 59) comes back
  // from CloudWatch's GetMetricData on the emulator.
  await expect(overview.cell(MOTO_PRIMARY, "web").locator("xpath=following-sibling::td[1]")).toContainText(
    "49 %",
  );
});

test("a capacity change made in the browser is read back from the emulator", async ({
  page,
  overview,
  request,
}) => {
  const region = MOTO_STANDBY;
  const groupName = "capstan-worker-usw2";
  const before = await emulatorGroup(region, groupName);
  const from = before.desired!;
  const to = from + 1;

  await overview.open();
  const cell = overview.cell(region, "worker");
  await expect(cell.getByTestId("capacity")).toHaveText(`${from} / ${from}`);
  await cell.getByRole("button", { name: `Add one instance to worker in ${region}` }).click();
  const dialog = page.getByTestId("resize-dialog");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId("resize-preview")).toContainText(`Desired ${from} → ${to}`);
  await dialog.getByLabel(/Reason/).fill("aws e2e: standby warm-up");
  await dialog.getByRole("button", { name: "Confirm change" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("status")).toContainText(`Desired ${from} → ${to}`);

  // The emulator itself has the new desired capacity (and, moto being moto, the instances at once).
  await expect.poll(async () => (await emulatorGroup(region, groupName)).desired).toBe(to);
  expect((await emulatorGroup(region, groupName)).instances).toBe(to);
  // The board follows without a reload, and the audit log names the token's identity.
  await expect(cell.getByTestId("capacity")).toHaveText(`${to} / ${to}`);
  const audit = await (await request.get(`/api/audit?pool=worker&actor=${AWS_E2E_TOKEN_NAME}`)).json();
  expect(audit.records[0]).toMatchObject({ actor: AWS_E2E_TOKEN_NAME, from, to });
});
