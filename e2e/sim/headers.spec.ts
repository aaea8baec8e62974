import { readdirSync } from "node:fs";
import path from "node:path";
import { expect, expectDrawnLine, test } from "../fixtures";

// Every HTML page carries the security headers, and the pages (charts included) work under the
// CSP: Chromium reports no violation. The pages are the app/**/page.tsx files on disk, so a new
// page is checked without anyone remembering to list it; a dynamic segment needs a sample below.
const SAMPLE: Record<string, string> = { region: "us-east-1", pool: "app" };

function pagesOnDisk(dir = path.resolve("app"), route = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isFile() && /^page\.(tsx|ts|jsx|js)$/.test(e.name)) out.push(route || "/");
    if (!e.isDirectory() || e.name === "api" || /^[_@]/.test(e.name)) continue;
    // (group) folders add no path segment; [param] takes its sample value.
    const param = /^\[\[?(?:\.\.\.)?(\w+)\]?\]$/.exec(e.name)?.[1];
    if (param && !(param in SAMPLE))
      throw new Error(`headers.spec: no sample value for the [${param}] segment (app${route}/${e.name})`);
    const seg = /^\(.*\)$/.test(e.name) ? "" : `/${param ? SAMPLE[param] : e.name}`;
    out.push(...pagesOnDisk(path.join(dir, e.name), route + seg));
  }
  return out.sort();
}
const PAGES = pagesOnDisk();

test("the pages found on disk include the known ones", () => {
  for (const p of ["/", "/pools/us-east-1/app", "/audit", "/standby", "/notifications", "/login"])
    expect(PAGES).toContain(p);
});

test("security headers on every page, no CSP violation and no console error in Chromium", async ({
  page,
  asRole,
}) => {
  // Every page found, each loaded to network idle: the time grows with their number (a slow CI
  // machine takes several seconds for a first render).
  test.setTimeout(20_000 * PAGES.length);
  // Admin: every page renders all of its parts (the notifications page shows admins its deliveries).
  await asRole("admin", "csp");
  // Any console error counts (CSP refusals are reported there too), and so does an uncaught exception.
  const violations: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") violations.push(m.text());
  });
  page.on("pageerror", (e) => violations.push(e.message));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      (window as unknown as { __csp: string[] }).__csp ??= [];
      (window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const nonces = new Set<string>();
  for (const path of PAGES) {
    const res = await page.goto(path);
    // Hydration and the client's first data requests happen after load: errors there count too.
    await page.waitForLoadState("networkidle");
    expect(res?.status(), path).toBe(200);
    const h = res!.headers();
    const csp = h["content-security-policy"] ?? "";
    expect(csp, path).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    for (const d of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"])
      expect(csp, path).toContain(d);
    nonces.add(/'nonce-([^']+)'/.exec(csp)![1]!);
    // Inline <style> elements need the nonce; only style attributes may be inline.
    expect(csp, path).toMatch(/style-src 'self' 'nonce-[A-Za-z0-9+/=]+'(;|$)/);
    expect(csp, path).toContain("style-src-attr 'unsafe-inline'");
    expect(csp.split(";").find((d) => d.trim().startsWith("style-src "))).not.toContain("unsafe-inline");
    expect(h["x-content-type-options"]).toBe("nosniff");
    expect(h["referrer-policy"]).toBe("no-referrer");
    expect(h["cross-origin-opener-policy"]).toBe("same-origin");
    expect(h["x-powered-by"]).toBeUndefined();
    expect(h["strict-transport-security"]).toBeUndefined(); // plain http here; HSTS only on https
    if (path === "/pools/us-east-1/app") {
      await expectDrawnLine(page, "cpu");
    } else {
      await expect(page.locator("main h1").first()).toBeVisible();
    }
    expect(await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? [])).toEqual([]);
    // Every inline <style> the page holds carries this response's nonce (read as a property:
    // browsers hide the attribute's value once parsed).
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
    const styles = await page.evaluate(() => [...document.querySelectorAll("style")].map((s) => s.nonce));
    for (const n of styles) expect(n, `${path}: inline <style> without the nonce`).toBe(nonce);
  }
  expect(nonces.size).toBe(PAGES.length);
  expect(violations).toEqual([]);
});
