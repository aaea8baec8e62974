import { expect, test } from "../fixtures";

// A time-boxed bump comes back on its own: the sim server runs its background jobs every second
// (CAPSTAN_BACKGROUND_SECONDS=1 in playwright.config.ts), so a 1-minute revert is due a minute
// after the bump and runs within a second or two of that. worker-calendar in us-east-1 is this
// spec's own pool.

const REGION = "us-east-1";
const POOL = "worker-calendar";

test("a bump with a 1-minute revert shows when it goes back, then comes back on its own, audited as Capstan", async ({
  page,
  asRole,
  overview,
}) => {
  test.setTimeout(150_000);
  await asRole("operator", "oskar");
  const from = (await (await page.request.get(`/api/pools/${REGION}/${POOL}?range=1h`)).json()).pool
    .desired as number;
  await overview.open();
  const cell = overview.cell(REGION, POOL);
  await cell.getByRole("button", { name: `Add one instance to ${POOL} in ${REGION}` }).click();
  const dialog = page.getByTestId("resize-dialog");
  await dialog.getByLabel(`Then back to ${from} after`).selectOption("custom");
  await dialog.getByLabel("Minutes (1–10080)").fill("1");
  await dialog.getByLabel(/Reason/).fill("calendar sync backlog, one minute drill");
  await dialog.getByRole("button", { name: "Confirm change" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("status")).toContainText(`back to ${from} at`);

  // While pending: the overview and the pool page say when it goes back, and the API has it.
  await expect(cell.getByTestId("revert-banner")).toContainText(
    new RegExp(`back to ${from} at \\d\\d:\\d\\d UTC \\(in [^)]+\\)`),
  );
  const api = await (await page.request.get(`/api/pools/${REGION}/${POOL}?range=1h`)).json();
  expect(api.revert).toMatchObject({ to: from, from: from + 1, by: "oskar" });
  await page.goto(`/pools/${REGION}/${POOL}?range=1h`);
  await expect(page.getByTestId("revert-banner")).toContainText(`${from + 1} for now, back to ${from} at`);

  // Then it comes back by itself (the page polls), and the banner goes.
  await expect(page.getByTestId("stat-capacity")).toHaveText(new RegExp(`^${from} /`), { timeout: 120_000 });
  await expect(page.getByTestId("revert-banner")).toBeHidden();
  const after = await (await page.request.get(`/api/pools/${REGION}/${POOL}?range=1h`)).json();
  expect(after.revert).toBeNull();

  await page.goto(`/audit?pool=${POOL}&actor=capstan`);
  const row = page.getByTestId("audit-row").first();
  await expect(row).toContainText(`${from + 1} → ${from}`);
  await expect(row).toContainText("Time-boxed change by oskar ends");
  await expect(row).toHaveAttribute("data-outcome", "succeeded");
});
