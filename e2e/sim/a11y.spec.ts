import AxeBuilder from "@axe-core/playwright";
import { expect, expectDrawnLine, test } from "../fixtures";

// Every page, light and dark: no serious or critical WCAG 2 A/AA violation (axe-core). The theme
// comes from the cookie the toggle sets, so the server renders it and no flash is measured.
const PAGES = [
  { path: "/", ready: "Fleet overview" },
  { path: "/pools/us-east-1/app", ready: null },
  { path: "/standby", ready: null },
  { path: "/audit", ready: null },
];

for (const theme of ["light", "dark"] as const) {
  test.describe(`accessibility, ${theme} theme`, () => {
    for (const { path, ready } of PAGES) {
      test(`${path}: no serious or critical WCAG 2 A/AA violation`, async ({ page, asRole, baseURL }) => {
        await asRole("operator", "axe");
        await page.context().addCookies([{ name: "theme", value: theme, url: baseURL! }]);
        await page.goto(path);
        await expect(page.locator("html")).toHaveClass(theme);
        if (ready) await expect(page.getByRole("heading", { name: ready })).toBeVisible();
        else await expect(page.locator("main h1").first()).toBeVisible();
        if (path.startsWith("/pools/")) await expectDrawnLine(page, "cpu");
        await page.waitForLoadState("networkidle");
        const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
        const bad = results.violations
          .filter((v) => v.impact === "serious" || v.impact === "critical")
          .map((v) => ({ rule: v.id, impact: v.impact, nodes: v.nodes.map((n) => `${n.target.join(" ")} ${n.failureSummary?.split("\n")[1] ?? ""}`.trim()) }));
        expect(bad).toEqual([]);
      });
    }
  });
}

for (const theme of ["light", "dark"] as const) {
  test(`/login (signed out), ${theme} theme: no serious or critical WCAG 2 A/AA violation`, async ({ page, baseURL }) => {
    await page.context().addCookies([{ name: "theme", value: theme, url: baseURL! }]);
    await page.goto("/login");
    await expect(page.getByRole("heading", { name: "Sign in to Capstan" })).toBeVisible();
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    expect(results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);
  });
}

test("the whole bump flow works by keyboard alone, and focus returns where it was", async ({ page, asRole, overview }) => {
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

  // Open, type, confirm, all from the keyboard.
  await page.keyboard.press("Enter");
  await expect(dialog.getByLabel("Desired")).toBeFocused();
  const from = Number(await dialog.getByLabel("Desired").inputValue()) - 1;
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type(String(from + 1));
  await page.keyboard.press("Tab");
  await expect(dialog.getByLabel(/Reason/)).toBeFocused();
  await page.keyboard.type("keyboard-only bump");
  await page.keyboard.press("Enter");
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("status")).toContainText(`Desired ${from} → ${from + 1}`);
  await expect(add).toBeFocused();
});
