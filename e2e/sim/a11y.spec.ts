import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, expectDrawnLine, test } from "../fixtures";

// Every page, light and dark: no serious or critical WCAG 2 A/AA violation (axe-core). The theme
// comes from the cookie the toggle sets, so the server renders it and no flash is measured. The
// pages are seen as an admin (the most controls: min/max, the standby plan); the pool page also
// with a time-boxed change pending (revert banner, change effects) and the resize dialog open
// (preview, prediction, warnings).

// axe over a page of hundreds of cells takes a while on a busy machine.
test.describe.configure({ timeout: 120_000 });

const THEMES = ["light", "dark"] as const;
type Theme = (typeof THEMES)[number];

const PAGES: { path: string; heading: string | RegExp; chart?: string }[] = [
  { path: "/", heading: "Fleet overview" },
  { path: "/pools/us-east-1/app", heading: /app/, chart: "cpu" },
  { path: "/pools/us-west-2/bastion", heading: /bastion/ },
  { path: "/standby", heading: "Standby readiness" },
  { path: "/audit", heading: "Audit log" },
  { path: "/audit?outcome=nonsense&limit=0", heading: "Audit log" },
  { path: "/notifications", heading: "Notifications" },
  { path: "/no-access", heading: "No access to Capstan" },
  { path: "/pools/us-east-1/no-such-pool", heading: "Not found" },
];

/** The serious and critical violations, each with where and why: an empty list is a pass. */
async function violations(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({
      rule: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n) => `${n.target.join(" ")} ${n.failureSummary?.split("\n")[1] ?? ""}`.trim()),
    }));
}

async function setTheme(page: Page, baseURL: string, theme: Theme) {
  await page.context().addCookies([{ name: "theme", value: theme, url: baseURL }]);
}

for (const theme of THEMES) {
  test.describe(`accessibility, ${theme} theme`, () => {
    for (const { path, heading, chart } of PAGES) {
      test(`${path}: no serious or critical WCAG 2 A/AA violation`, async ({ page, asRole, baseURL }) => {
        await asRole("admin", "axe");
        await setTheme(page, baseURL!, theme);
        await page.goto(path);
        await expect(page.locator("html")).toHaveClass(theme);
        await expect(page.getByRole("heading", { name: heading, level: 1 }).first()).toBeVisible();
        if (chart) await expectDrawnLine(page, chart);
        if (path === "/")
          await expect(page.getByTestId("cell-us-east-1-app").getByTestId("capacity")).toHaveText(
            /^\d+ \/ \d+/,
          );
        expect(await violations(page)).toEqual([]);
      });
    }

    test("/login (signed out): no serious or critical WCAG 2 A/AA violation", async ({ page, baseURL }) => {
      await setTheme(page, baseURL!, theme);
      await page.goto("/login");
      await expect(page.getByRole("heading", { name: "Sign in to Capstan" })).toBeVisible();
      expect(await violations(page)).toEqual([]);
      // And with a field error showing.
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.locator("#name-error")).not.toBeEmpty();
      expect(await violations(page)).toEqual([]);
    });

    test("the resize dialog (preview, prediction, warnings, an error): no serious or critical violation", async ({
      page,
      asRole,
      baseURL,
      overview,
    }) => {
      await asRole("admin", "axe");
      await setTheme(page, baseURL!, theme);
      await overview.open();
      await overview
        .cell("us-east-1", "app")
        .getByRole("button", { name: "Add one instance to app in us-east-1" })
        .click();
      const dialog = page.getByTestId("resize-dialog");
      await expect(dialog.getByTestId("resize-prediction")).not.toHaveText("predicting…");
      // A big step (within max, so Enter still submits): guardrail warnings and the override field.
      await dialog.getByLabel("Desired").fill("40");
      await expect(dialog.getByTestId("resize-warnings")).toBeVisible();
      // A reason too short, submitted with Enter: the field's error (nothing is sent).
      await dialog.getByLabel(/Reason/).fill("x");
      await dialog.getByLabel(/Reason/).press("Enter");
      await expect(dialog.locator("#reason-error")).not.toBeEmpty();
      expect(await violations(page)).toEqual([]);
      await page.keyboard.press("Escape");
      await expect(dialog).toBeHidden();
    });
  });
}

test("a pool page with a time-boxed change pending (revert banner, change effect): no violation, light or dark", async ({
  page,
  asRole,
  baseURL,
}) => {
  const REGION = "us-west-2";
  const POOL = "worker-default";
  const origin = { origin: baseURL! };
  await asRole("admin", "axe");
  const from = (await (await page.request.get(`/api/pools/${REGION}/${POOL}?range=1h`)).json()).pool
    .desired as number;
  const bump = await page.request.post(`/api/pools/${REGION}/${POOL}/capacity`, {
    headers: origin,
    data: {
      desired: from + 1,
      expectedDesired: from,
      reason: "a11y spec: a pending revert",
      revertAfterMinutes: 60,
      idempotencyKey: `a11y-${Date.now()}`,
    },
  });
  expect(bump.status(), await bump.text()).toBe(200);
  try {
    for (const theme of THEMES) {
      await setTheme(page, baseURL!, theme);
      await page.goto(`/pools/${REGION}/${POOL}?range=1h`);
      await expect(page.locator("html")).toHaveClass(theme);
      await expect(page.getByTestId("revert-banner")).toContainText(`back to ${from} at`);
      await expect(page.getByTestId("change-effect").first()).toBeVisible();
      expect(await violations(page)).toEqual([]);
    }
  } finally {
    // Leave the pool as it was for the specs that follow.
    await page.request.delete(`/api/pools/${REGION}/${POOL}/revert`, { headers: origin });
    const now = (await (await page.request.get(`/api/pools/${REGION}/${POOL}?range=1h`)).json()).pool
      .desired as number;
    await page.request.post(`/api/pools/${REGION}/${POOL}/capacity`, {
      headers: origin,
      data: {
        desired: from,
        expectedDesired: now,
        reason: "a11y spec: back as it was",
        idempotencyKey: `a11y-back-${Date.now()}`,
      },
    });
  }
});

test("the whole bump flow works by keyboard alone, and focus returns where it was", async ({
  page,
  asRole,
  overview,
}) => {
  await asRole("operator", "kim");
  await overview.open();
  const cell = overview.cell("us-east-1", "worker-calendar");
  const add = cell.getByRole("button", { name: "Add one instance to worker-calendar in us-east-1" });
  await expect(cell.getByTestId("capacity")).toHaveText(/^\d+ \/ \d+/);

  // Open with the keyboard, then leave with Escape: nothing changes, focus is back on the button.
  await add.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByTestId("resize-dialog");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel("Desired")).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(add).toBeFocused();

  // Open, type, confirm, all from the keyboard: Tab walks past "then back to" to the reason, Enter submits.
  await page.keyboard.press("Enter");
  await expect(dialog.getByLabel("Desired")).toBeFocused();
  const from = Number(await dialog.getByLabel("Desired").inputValue()) - 1;
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type(String(from + 1));
  await page.keyboard.press("Tab");
  await expect(dialog.getByTestId("revert-after")).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(dialog.getByLabel(/Reason/)).toBeFocused();
  await page.keyboard.type("keyboard-only bump");
  await page.keyboard.press("Enter");
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("status")).toContainText(`Desired ${from} → ${from + 1}`);
  await expect(add).toBeFocused();
});
