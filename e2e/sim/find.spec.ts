import type { Locator, Page } from "@playwright/test";
import { expect, REFERENCE_POOLS, test } from "../fixtures";

// Finding a pool on the overview: the filter box, "needs attention" and the sort, all in the URL.

const ATTENTION = ["degraded", "scaling", "stale", "error"];
const poolRows = (page: Page) => page.locator('tr[data-testid^="pool-row-"]');
const rowIds = async (page: Page) =>
  await poolRows(page).evaluateAll((rows) =>
    rows.map((r) => r.getAttribute("data-testid")!.slice("pool-row-".length)),
  );

/** The highest figure of a row across regions, as drawn ("37 %", "1,480 ms"); null when none. */
async function figure(row: Locator, testId: string): Promise<number | null> {
  const values = (await row.getByTestId(testId).allTextContents())
    .filter((t) => /\d/.test(t))
    .map((t) => Number(t.replace(/[^\d.]/g, "")));
  return values.length ? Math.max(...values) : null;
}

test.describe("find a pool", () => {
  test("/ focuses the filter, typing filters by id and name, the URL follows and a reload keeps it", async ({
    page,
    asRole,
    overview,
  }) => {
    await asRole("viewer", "finder");
    await overview.open();
    await expect(overview.cell("us-east-1", "app").getByTestId("capacity")).toHaveText(/^\d+ \/ \d+/);
    // At 8 pools every row is in the DOM (no windowing) and the controls sit on the title's line.
    await expect(poolRows(page)).toHaveCount(REFERENCE_POOLS.length);
    const filter = page.getByRole("searchbox", { name: "Filter pools by id or name" });
    const title = await page.getByRole("heading", { name: "Fleet overview" }).boundingBox();
    const box = await filter.boundingBox();
    expect(Math.abs(box!.y + box!.height / 2 - (title!.y + title!.height / 2))).toBeLessThan(20);

    const historyBefore = await page.evaluate(() => history.length);
    await page.locator("body").press("/");
    await expect(filter).toBeFocused();
    await page.keyboard.type("work");
    await expect(page).toHaveURL(/[?&]q=work(&|$)/);
    expect(await rowIds(page)).toEqual(["worker-email", "worker-calendar", "worker-default"]);
    await expect(page.getByTestId("filter-count")).toHaveText("3 of 8 pools");
    // Replaced, not pushed: typing leaves no trail in the history.
    expect(await page.evaluate(() => history.length)).toBe(historyBefore);

    // By name too ("Layer-7 proxy"), every word, case-insensitively.
    await filter.fill("LAYER proxy");
    await expect(poolRows(page)).toHaveCount(1);
    await expect(overview.row("proxy")).toBeVisible();

    await filter.fill("work");
    await page.reload();
    await expect(filter).toHaveValue("work");
    await expect(overview.cell("us-east-1", "worker-email").getByTestId("capacity")).toHaveText(
      /^\d+ \/ \d+/,
    );
    expect(await rowIds(page)).toEqual(["worker-email", "worker-calendar", "worker-default"]);

    // Nothing matches: say so, and one click clears it. Escape clears the box too.
    await filter.fill("no-such-pool");
    await expect(page.getByTestId("no-match")).toContainText("No pool matches “no-such-pool”");
    await page.getByRole("button", { name: "Clear the filter" }).click();
    await expect(poolRows(page)).toHaveCount(REFERENCE_POOLS.length);
    await expect(page).not.toHaveURL(/q=/);
    await filter.fill("app");
    await filter.press("Escape");
    await expect(filter).toHaveValue("");
    await expect(poolRows(page)).toHaveCount(REFERENCE_POOLS.length);
  });

  test("needs attention shows the degraded, scaling, stale and error pools, and only those", async ({
    page,
    asRole,
    baseURL,
  }) => {
    await asRole("operator", "nora");
    // Make one pool scaling: bastion in the standby region gets (or loses) an instance.
    const now = (await (await page.request.get("/api/pools/us-west-2/bastion?range=1h")).json()).pool;
    const to = now.desired < now.max ? now.desired + 1 : now.desired - 1;
    const res = await page.request.post("/api/pools/us-west-2/bastion/capacity", {
      headers: { origin: baseURL! },
      data: {
        desired: to,
        expectedDesired: now.desired,
        reason: "needs-attention e2e",
        idempotencyKey: `attention-${Date.now()}`,
      },
    });
    expect(res.status(), await res.text()).toBe(200);

    await page.goto("/?status=attention");
    const toggle = page.getByRole("button", { name: /^Needs attention \(\d+\)$/ });
    await expect(toggle).toHaveAttribute("aria-pressed", "true");
    await expect(page.getByTestId("cell-us-west-2-bastion").getByTestId("capacity")).toBeVisible();
    // Freeze the view: what is on screen is then what the filter was applied to.
    await page.getByRole("button", { name: "Pause refresh" }).click();
    await expect(
      page.getByTestId("pool-row-bastion").locator("[data-status]").filter({ hasText: "scaling" }).first(),
    ).toBeVisible();

    const shown = await rowIds(page);
    expect(shown.length).toBeGreaterThan(0);
    await expect(toggle).toHaveText(`Needs attention (${shown.length})`);
    for (const id of shown) {
      const statuses = await page
        .getByTestId(`pool-row-${id}`)
        .locator("[data-status]")
        .evaluateAll((b) => b.map((x) => x.getAttribute("data-status")));
      expect(
        statuses.some((s) => ATTENTION.includes(s!)),
        `${id}: ${statuses.join(", ")}`,
      ).toBe(true);
    }

    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-pressed", "false");
    await expect(page).not.toHaveURL(/status=/);
    await expect(poolRows(page)).toHaveCount(REFERENCE_POOLS.length);
    for (const id of REFERENCE_POOLS.filter((p) => !shown.includes(p))) {
      const statuses = await page
        .getByTestId(`pool-row-${id}`)
        .locator("[data-status]")
        .evaluateAll((b) => b.map((x) => x.getAttribute("data-status")));
      expect(
        statuses.some((s) => ATTENTION.includes(s!)),
        `${id}: ${statuses.join(", ")}`,
      ).toBe(false);
    }
  });

  test("sorting by CPU, page load and capacity orders the rows by the highest figure, and lives in the URL", async ({
    page,
    asRole,
    overview,
  }) => {
    await asRole("viewer", "sorter");
    await overview.open();
    await expect(overview.cell("us-east-1", "app").getByTestId("capacity")).toHaveText(/^\d+ \/ \d+/);
    await page.getByRole("button", { name: "Pause refresh" }).click();
    const sort = page.getByLabel("Sort");
    for (const [key, label, testId] of [
      ["cpu", "CPU, highest first", "cpu-now"],
      ["pageload", "Page load, slowest first", "load-now"],
      ["capacity", "Capacity, largest first", "capacity"],
    ] as const) {
      await sort.selectOption({ label });
      await expect(page).toHaveURL(new RegExp(`[?&]sort=${key}(&|$)`));
      await expect(
        page.getByRole("columnheader", { name: new RegExp(`All tiers, by ${label}`, "i") }),
      ).toBeVisible();
      const figures: (number | null)[] = [];
      for (const id of await rowIds(page)) {
        const row = page.getByTestId(`pool-row-${id}`);
        figures.push(
          testId === "capacity"
            ? Math.max(
                ...(await row.getByTestId("capacity").allTextContents()).map((t) => Number(t.split("/")[0])),
              )
            : await figure(row, testId),
        );
      }
      expect(figures.length).toBe(REFERENCE_POOLS.length);
      // Highest first; pools without the figure (no page load for workers) last.
      const known = figures.filter((v): v is number => v !== null);
      expect(known, `${key}: ${figures.join(", ")}`).toEqual([...known].sort((a, b) => b - a));
      expect(
        figures.slice(known.length).every((v) => v === null),
        `${key}: ${figures.join(", ")}`,
      ).toBe(true);
    }
    await page.reload();
    await expect(page.getByLabel("Sort")).toHaveValue("capacity");
  });
});
