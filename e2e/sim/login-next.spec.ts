import { expect, test } from "../fixtures";

// Where sign-in returns to, as Chromium resolves it: only a path on this origin survives. Each
// form below once was, or could be, read by a browser as another host.
const HOSTILE = [
  "//evil.example",
  "/.//evil.example",
  "/..//evil.example",
  "/a/..//evil.example",
  "/./\\evil.example",
  "/\\evil.example",
  "\\\\evil.example",
  "/\t/evil.example",
  "///evil.example",
  " //evil.example",
  "https://evil.example/",
  "http:evil.example",
  "javascript:alert(1)",
  "data:text/html,hi",
  "/%2F%2Fevil.example/..//..//evil.example",
];
// Encoded separators stay part of a path on this site (a browser does not decode them into a host).
const ENCODED = ["/%2F/evil.example", "/%5Cevil.example", "/%09/evil.example", "/%2e%2e//evil.example"];

test.describe("sign-in next= parameter in Chromium", () => {
  for (const next of [...HOSTILE, ...ENCODED]) {
    test(`next=${JSON.stringify(next)} stays on this origin`, async ({ page, baseURL }) => {
      const origin = new URL(baseURL!).origin;
      const away: string[] = [];
      page.on("request", (r) => {
        if (new URL(r.url()).origin !== origin) away.push(r.url());
      });
      await page.goto(`/login?next=${encodeURIComponent(next)}`);
      await page.getByLabel("Name").fill("nina");
      await page.getByLabel("viewer").check();
      await page.getByRole("button", { name: "Sign in" }).click();
      // Wait until the browser has left /login (to wherever it was sent), then check where that is.
      await page.waitForURL((u) => u.pathname !== "/login");
      expect(new URL(page.url()).origin).toBe(origin);
      expect(away).toEqual([]);
    });
  }
});
