import { test as base, expect, type APIRequestContext, type Page } from "@playwright/test";

export type Role = "viewer" | "operator" | "admin";

/** Dev sign-in through the JSON API (same-origin, as the login page does). */
export async function signIn(request: APIRequestContext, baseURL: string, name: string, role: Role) {
  const res = await request.post("/api/session", { data: { name, role }, headers: { origin: baseURL } });
  expect(res.status(), await res.text()).toBe(200);
}

export class OverviewPage {
  constructor(readonly page: Page) {}
  async open() {
    await this.page.goto("/");
    await expect(this.page.getByRole("heading", { name: "Fleet overview" })).toBeVisible();
  }
  row(pool: string) {
    return this.page.getByTestId(`pool-row-${pool}`);
  }
  cell(region: string, pool: string) {
    return this.page.getByTestId(`cell-${region}-${pool}`);
  }
}

export const test = base.extend<{
  asRole: (role: Role, name?: string) => Promise<void>;
  overview: OverviewPage;
}>({
  asRole: async ({ page, baseURL }, provide) => {
    await provide(async (role, name = `e2e-${role}`) => signIn(page.request, baseURL!, name, role));
  },
  overview: async ({ page }, provide) => {
    await provide(new OverviewPage(page));
  },
});

export { expect };

export const REFERENCE_POOLS = [
  "proxy",
  "public-site",
  "app",
  "worker-email",
  "worker-calendar",
  "worker-default",
  "scheduler",
  "bastion",
];

/**
 * A recharts line that is really drawn: its path has many segments. (A flat line has a zero-height
 * box, which Playwright calls hidden, so visibility is the wrong check.)
 */
export async function expectDrawnLine(page: Page, chart: string) {
  await expect(
    page.getByTestId(`chart-${chart}`).locator("svg.recharts-surface path.recharts-curve").first(),
  ).toHaveAttribute("d", /^M[\d.]+,[\d.]+([LC][\d.,]+){10,}/);
}
