import { expect, signIn, test } from "../fixtures";

// The scaling loop, end to end in Chromium on the simulated fleet (its own server: warm-up 8 s,
// "sustained" 2 min of points, effects judged 5 s after the new instances serve, background every
// second): surge app → degraded with the reason → suggestion with its prediction → the operator
// accepts it → pending, then in service → p90 back under target → "helped".

const REGION = "us-east-1";
const POOL = "app";

test("page load rises, Capstan says so and predicts the fix, the bump works, and Capstan shows it did", async ({
  page,
  baseURL,
}) => {
  test.setTimeout(110_000);
  const api = page.request;
  await signIn(api, baseURL!, "ada", "admin");

  // 1. Surge app past saturation, whatever the time of day: arrivals to about 1.1 × what the
  // pool serves, the surge begun 20 minutes ago so the queue has filled.
  const before = await (await api.get(`/api/pools/${REGION}/${POOL}?range=1h`)).json();
  const from: number = before.pool.desired;
  const utilisation = (before.pool.cpu.latest - 2.25) / 100;
  const factor = Math.min(20, Math.max(0.1, Math.round((1.1 / utilisation) * 100) / 100));
  const surge = await api.post("/api/admin/surge", {
    headers: { origin: baseURL! },
    data: { region: REGION, pool: POOL, factor, minutes: 60, startedMinutesAgo: 20 },
  });
  expect(surge.status(), await surge.text()).toBe(200);

  // 2. The pool turns degraded and says why.
  await signIn(api, baseURL!, "oscar", "operator");
  await page.goto(`/pools/${REGION}/${POOL}?range=1h`);
  await expect(page.getByTestId("degraded-reason")).toContainText(
    /p90 page load [\d.]+ s, (\d+ % over|\d+×) its 1.2 s target for 2 min/,
  );

  // The overview's header counts it: its "N degraded" is the number of pool rows degraded in the
  // region, read from one render (the board refreshes on its own).
  await page.goto("/");
  const counts = () =>
    page.evaluate((region) => {
      const rows = [...document.querySelectorAll(`td[data-testid^="cell-${region}-"]`)].filter((td) => {
        if ((td as HTMLTableCellElement).colSpan > 1) return false; // no group / region unavailable: no status cells
        const statusCell = td.nextElementSibling?.nextElementSibling?.nextElementSibling;
        return statusCell?.querySelector('[data-status="degraded"]') != null;
      });
      return {
        rows: rows.length,
        header: document.querySelector(`[data-testid="degraded-count-${region}"]`)?.textContent ?? null,
      };
    }, REGION);
  await expect.poll(async () => (await counts()).rows).toBeGreaterThan(0);
  const c = await counts();
  expect(c.header).toBe(`${c.rows} degraded`);
  await page.goto(`/pools/${REGION}/${POOL}?range=1h`);

  // 3. The suggestion and its prediction.
  const suggestion = page.getByTestId("suggestion");
  await expect(suggestion).toContainText(/Suggested: \d+/);
  await expect(page.getByTestId("suggestion-prediction")).toContainText(/predicted CPU \d+ %, p90 ≈ \d+ ms/);
  const suggested = Number((await suggestion.locator("strong").textContent())!.trim());
  expect(suggested).toBeGreaterThan(from);

  // 4. The operator accepts it: the dialog predicts the value being typed.
  await suggestion.getByRole("button", { name: `use ${suggested}` }).click();
  await page.getByRole("button", { name: /Review change/ }).click();
  const dialog = page.getByTestId("resize-dialog");
  await expect(dialog.getByTestId("resize-preview")).toContainText(`Desired ${from} → ${suggested}`);
  await expect(dialog.getByTestId("resize-prediction")).toContainText(
    new RegExp(`At ${suggested}: predicted CPU \\d+ %, p90 ≈ \\d+ ms \\(now [\\d.]+ s\\)`),
  );
  await dialog.getByLabel(/Reason/).fill("p90 over target during the surge: accepting the suggestion");
  await dialog.getByRole("button", { name: "Confirm change" }).click();
  await expect(dialog).toBeHidden();

  // 5. Pending, then in service.
  await expect(page.getByTestId("stat-pending")).not.toHaveText("0");
  await expect(page.getByTestId("stat-capacity")).toContainText(`${suggested} / ${suggested}`, {
    timeout: 30_000,
  });

  // 6. p90 falls back under the target: the pool is no longer degraded.
  await expect
    .poll(
      async () =>
        (await (await api.get(`/api/pools/${REGION}/${POOL}?range=1h`)).json()).pool.pageLoad.latest,
      { timeout: 30_000 },
    )
    .toBeLessThan(1200);
  await page.reload();
  const p90 = async () => Number((await page.getByTestId("stat-p90").textContent())!.replace(/[^\d]/g, ""));
  await expect.poll(p90).toBeLessThan(1200);
  // Whatever else may still be over its target (CPU near 70 %), page load no longer is.
  await expect(page.getByTestId("pool-summary")).not.toContainText(
    /p90 page load [\d.]+ s, (\d+ % over|\d+×)/,
  );

  // 7. The verdict: it helped, on the pool page and in the audit log.
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("change-effect").first()).toHaveAttribute("data-verdict", "helped", {
      timeout: 2_000,
    });
  }).toPass({ timeout: 30_000 });
  await expect(page.getByTestId("change-effect").first()).toContainText(
    /p90 [\d.]+ s → \d+ ms, CPU \d+ % → \d+ %: helped/,
  );
  await page.goto(`/audit?pool=${POOL}`);
  await expect(page.getByTestId("audit-effect").first()).toHaveAttribute("data-verdict", "helped");

  // The surge ends (DELETE), so the fleet is left as found.
  await signIn(api, baseURL!, "ada", "admin");
  const end = await api.delete("/api/admin/surge", {
    headers: { origin: baseURL! },
    data: { region: REGION, pool: POOL },
  });
  expect(end.status(), await end.text()).toBe(200);
});
