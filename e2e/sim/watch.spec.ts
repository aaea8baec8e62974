import { expect, expectDrawnLine, REFERENCE_POOLS, test } from "../fixtures";

test.describe("watch the fleet", () => {
  test("signed-out visitors are sent to /login and the JSON API answers 401", async ({ page, request }) => {
    await page.goto("/standby");
    await expect(page).toHaveURL(/\/login\?next=%2Fstandby/);
    await expect(page.getByRole("heading", { name: "Sign in to Capstan" })).toBeVisible();
    for (const path of ["/api/fleet", "/api/pools/us-east-1/app", "/api/standby", "/api/audit"]) {
      const res = await request.get(path);
      expect(res.status(), path).toBe(401);
      expect((await res.json()).error).toMatch(/sign in/i);
    }
    const health = await request.get("/api/health");
    expect(health.status()).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" }); // signed out: no backend, regions or errors
  });

  test("signing in through the login page lands back where the visitor was going", async ({ page }) => {
    await page.goto("/standby");
    await page.getByLabel("Name").fill("alice");
    await page.getByLabel("viewer").check();
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/standby$/);
    await expect(page.getByTestId("identity")).toHaveText(/alice\s*· viewer/);
    await expect(page.getByText("Development sign-in is active")).toBeVisible();
  });

  test("the overview shows all eight reference pools in both regions with numbers and sparklines", async ({
    page,
    asRole,
    overview,
  }) => {
    await asRole("viewer");
    await overview.open();
    for (const pool of REFERENCE_POOLS) {
      await expect(overview.row(pool)).toBeVisible();
      for (const region of ["us-east-1", "us-west-2"]) {
        await expect(overview.cell(region, pool).getByTestId("capacity")).toHaveText(/^\d+ \/ \d+/);
      }
    }
    // The overview agrees with the JSON API (other specs may have resized pools before this one).
    const fleet = await (await page.request.get("/api/fleet")).json();
    for (const r of fleet.regions) {
      const app = r.pools.find((p: { id: string }) => p.id === "app");
      await expect(overview.cell(r.region, "app").getByTestId("capacity")).toContainText(`${app.desired} /`);
    }
    // On the wire, sparklines are { start, step, values } with at most 36 points, gaps as null.
    const east = fleet.regions.find((r: { region: string }) => r.region === "us-east-1");
    const cpu = east.pools.find((p: { id: string }) => p.id === "app").cpu;
    expect(cpu).toMatchObject({
      start: expect.any(Number),
      step: expect.any(Number),
      latest: expect.any(Number),
    });
    expect(cpu.values.length).toBeGreaterThan(10);
    expect(cpu.values.length).toBeLessThanOrEqual(36);
    expect(cpu.values.every((v: unknown) => v === null || Number.isInteger(v))).toBe(true);
    // A refresh that finds nothing changed is a 304 (the data may move between two requests: ask again).
    await expect
      .poll(async () => {
        const etag = (await page.request.get("/api/fleet")).headers().etag!;
        return (await page.request.get("/api/fleet", { headers: { "if-none-match": etag } })).status();
      })
      .toBe(304);
    // CPU and page-load sparklines are drawn with points, and the CPU figure is a percentage.
    const appRow = overview.row("app");
    await expect(
      appRow.getByRole("img", { name: "app CPU, last hour" }).first().locator("polyline").first(),
    ).toHaveAttribute("points", /\d+\.\d,\d/);
    await expect(
      appRow.getByRole("img", { name: "app p90 page load, last hour" }).first().locator("polyline").first(),
    ).toHaveAttribute("points", /,/);
    await expect(appRow.getByText(/^\d+ %$/).first()).toBeVisible();
    await expect(appRow.getByText(/^\d[\d,]* ms$/).first()).toBeVisible();
    await expect(overview.row("worker-email").getByText("queued").first()).toBeVisible();
    await expect(page.getByTestId("region-header-us-east-1")).toContainText("reachable");
    await expect(page.getByTestId("region-header-us-west-2")).toContainText(/data \d+ s old/);
  });

  test("a pool page shows charts with data, and the range switch changes the URL and the data", async ({
    page,
    asRole,
  }) => {
    await asRole("viewer");
    await page.goto("/pools/us-east-1/app");
    for (const chart of ["page-load", "cpu", "capacity"]) {
      await expectDrawnLine(page, chart);
    }
    const now = await (await page.request.get("/api/pools/us-east-1/app?range=1h")).json();
    await expect(page.getByTestId("stat-capacity")).toContainText(`${now.pool.desired} /`);
    await expect(page.getByTestId("instances").locator("tbody tr")).toHaveCount(now.instances.length);
    expect(now.instances.length).toBeGreaterThanOrEqual(12);
    const ticks6h = await page
      .getByTestId("chart-cpu")
      .locator(".recharts-cartesian-axis-tick-value")
      .allTextContents();

    await page.getByRole("navigation", { name: "Time range" }).getByRole("link", { name: "7d" }).click();
    await expect(page).toHaveURL(/range=7d/);
    await expect(page.getByRole("link", { name: "7d" })).toHaveAttribute("aria-current", "page");
    await expectDrawnLine(page, "cpu");
    // A seven-day axis labels dates, a six-hour one labels times of day.
    await expect(
      page.getByTestId("chart-cpu").locator(".recharts-cartesian-axis-tick-value").first(),
    ).toHaveText(/^\d\d-\d\d /);
    expect(ticks6h[0]).toMatch(/^\d\d:\d\d$/);

    const api = await page.request.get("/api/pools/us-east-1/app?range=7d");
    const body = await api.json();
    expect(body.period).toBe(900);
    expect(body.series.cpuAvg.length).toBeGreaterThan(200);
    expect(body.series.cpuAvg.length).toBeLessThanOrEqual(300);
    expect((await (await page.request.get("/api/pools/us-east-1/app?range=1h")).json()).period).toBe(60);
  });

  test("the pool page links to the same pool in the other region", async ({ page, asRole }) => {
    await asRole("viewer");
    await page.goto("/pools/us-east-1/worker-calendar?range=1h");
    await page.getByTestId("other-region").click();
    await expect(page).toHaveURL(/\/pools\/us-west-2\/worker-calendar\?range=1h/);
    await expect(page.getByTestId("stat-capacity")).toHaveText(/^\d+ \/ \d+$/);
    await expect(page.getByTestId("chart-backlog")).toBeVisible();
  });

  test("the standby page shows a verdict per pool and overall", async ({ page, asRole }) => {
    await asRole("viewer");
    await page.goto("/standby");
    await expect(page.getByTestId("standby-verdict")).toContainText(/standby (can|cannot)/i);
    await expect(page.getByTestId("standby-row-app")).toContainText(/ready|scale up first|cannot take over/);
    await expect(page.getByTestId("standby-row-app")).toContainText(/\d+ \/ \d+/);
  });

  test("unknown region or pool is a 404 in JSON and on the page", async ({ page, asRole }) => {
    await asRole("viewer");
    expect((await page.request.get("/api/pools/eu-west-1/app")).status()).toBe(404);
    const res = await page.request.get("/api/pools/us-east-1/nope");
    expect(res.status()).toBe(404);
    expect((await res.json()).error).toMatch(/Unknown pool nope/);
    const page404 = await page.goto("/pools/us-east-1/nope");
    expect(page404?.status()).toBe(404);
  });
});
