import { chromium, type Browser, type CDPSession, type Page, type Route } from "@playwright/test";
import { quantile, startServer, stopServer, type Running } from "./server";

// The browser side of a big fleet: the overview in headless Chromium (Debian's, the flags of
// playwright.config.ts) against the production build with the simulated backend, per fleet size:
//  - time to ready: navigation start → every pool row in the viewport has its figures drawn (no
//    skeleton cell left), as the page itself sees it (performance.now());
//  - DOM nodes once ready;
//  - JS heap (CDP: HeapProfiler.collectGarbage, then Runtime.getHeapUsage) before and after 20
//    refreshes that each bring a full body (If-None-Match stripped, so every one replaces the data),
//    after 5 such refreshes to warm up, read while the next poll is held back so no refresh is
//    caught half-way;
//  - bytes per refresh on the wire (headers and body, as Chromium received them) with the
//    client's own If-None-Match (mostly 304) and without it (200).
// The board polls every CAPSTAN_OVERVIEW_REFRESH_MS (1 s here instead of 15 s).

const REFRESH_MS = 1000;
export const HEAP_REFRESHES = 20;
/** Full refreshes before the first heap reading (measured flat from there to 40 refreshes). */
const HEAP_WARMUP = 5;
const BYTES_REFRESHES = 4;
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export interface BrowserMeasure {
  pools: number;
  /** Median over the runs, ms from navigation start. */
  readyMs: number;
  readyRunsMs: number[];
  domNodes: number;
  /** Pool rows in the DOM once ready (windowed beyond 80). */
  rowsInDom: number;
  htmlBytes: number;
  heapBeforeBytes: number;
  heapAfterBytes: number;
  heapGrowth: number;
  /** Per refresh on the wire (headers included): 200 with a body, and 304. */
  refreshBytes200: number;
  refreshBytes304: number | null;
  /** How the client's own conditional polls were answered. */
  conditional: { ok200: number; notModified304: number };
}

/** Sizes are pools per region; the reference fleet has `reference` pools, the rest are generated. */
export async function measureBrowser(
  sizes: number[],
  reference: number,
  runs: number,
): Promise<BrowserMeasure[]> {
  const servers: Running[] = [];
  let browser: Browser | undefined;
  try {
    // Started side by side (each waits mostly on its own start-up), stopped at the end even if one failed.
    const started = await Promise.allSettled(
      sizes.map((n) =>
        startServer(Math.max(0, n - reference), { CAPSTAN_OVERVIEW_REFRESH_MS: String(REFRESH_MS) }),
      ),
    );
    for (const s of started) if (s.status === "fulfilled") servers.push(s.value);
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ARGS });
    // Interleaved (run i on every size before run i + 1), like the server times: load from
    // elsewhere on the machine falls on every size alike. The first visit of each warms the server.
    const ready: number[][] = sizes.map(() => []);
    for (const s of servers) await visit(browser, s.base, async () => undefined);
    let last: { domNodes: number; rowsInDom: number; htmlBytes: number }[] = [];
    for (let r = 0; r < runs; r++) {
      last = [];
      for (const [i, s] of servers.entries()) {
        last.push(
          await visit(browser, s.base, async (page, ms, htmlBytes) => {
            ready[i]!.push(ms);
            const { domNodes, rowsInDom } = await page.evaluate(() => ({
              domNodes: document.getElementsByTagName("*").length,
              rowsInDom: document.querySelectorAll('tr[data-testid^="pool-row-"]').length,
            }));
            return { domNodes, rowsInDom, htmlBytes };
          }),
        );
      }
    }
    const out: BrowserMeasure[] = [];
    for (const [i, s] of servers.entries()) {
      const refreshes = await visit(browser, s.base, (page) => refreshCosts(page));
      out.push({
        pools: sizes[i]!,
        readyMs: quantile(ready[i]!, 0.5),
        readyRunsMs: ready[i]!,
        ...last[i]!,
        ...refreshes,
      });
    }
    return out;
  } finally {
    await browser?.close();
    for (const s of servers) await stopServer(s);
  }
}

/** A fresh context, dev sign-in as an operator (the largest page: − / + on every pool), open /. */
async function visit<T>(
  browser: Browser,
  base: string,
  then: (page: Page, readyMs: number, htmlBytes: number) => Promise<T>,
): Promise<T> {
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1440, height: 900 } });
  try {
    const res = await context.request.post("/api/session", {
      data: { name: "bench", role: "operator" },
      headers: { origin: base },
    });
    if (res.status() !== 200) throw new Error(`dev sign-in: HTTP ${res.status()} ${await res.text()}`);
    const page = await context.newPage();
    const nav = await page.goto("/", { waitUntil: "commit" });
    const html = (await nav?.body())?.byteLength ?? 0;
    await page.waitForFunction(isReady, null, { polling: "raf", timeout: 60_000 });
    const ms = await page.evaluate(() => performance.now());
    return await then(page, ms, html);
  } finally {
    await context.close();
  }
}

/** Ready: at least one pool row on screen, and no row on screen still showing a skeleton. */
function isReady(): boolean {
  const rows = [...document.querySelectorAll('tr[data-testid^="pool-row-"]')].filter((r) => {
    const b = r.getBoundingClientRect();
    return b.bottom > 0 && b.top < window.innerHeight;
  });
  return rows.length > 0 && rows.every((r) => !r.querySelector("[data-loading]"));
}

async function refreshCosts(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  // Every answered GET /api/fleet: status and bytes on the wire (headers and body as received).
  let seen: { status: number; bytes: number }[] = [];
  // Resolved by the response that brings `seen` to the awaited count (no polling).
  let waiting: { count: number; resolve: () => void } | null = null;
  page.on("response", (res) => {
    if (!res.url().includes("/api/fleet")) return;
    void res
      .request()
      .sizes()
      .then((s) => {
        seen.push({ status: res.status(), bytes: s.responseHeadersSize + s.responseBodySize });
        if (waiting && seen.length >= waiting.count) waiting.resolve();
      })
      .catch(() => undefined);
  });
  const waitFor = async (count: number) => {
    if (seen.length >= count) return;
    const ms = 30_000 + count * REFRESH_MS * 3;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        waiting = { count, resolve };
        timer = setTimeout(() => reject(new Error(`only ${seen.length} of ${count} refreshes answered`)), ms);
      });
    } finally {
      clearTimeout(timer);
      waiting = null;
    }
  };

  // The client's own polling: If-None-Match from its last 200.
  await waitFor(BYTES_REFRESHES);
  const own = seen.slice(0, BYTES_REFRESHES);
  const bytes304 = own.filter((x) => x.status === 304).map((x) => x.bytes);

  // Without 304: every refresh brings the whole fleet and replaces the board's data. The heap is
  // read at the same quiet point each time: the next poll held back in the browser (the board
  // starts one only once the last is applied), so no body is half-read or half-rendered.
  const strip = (route: Route) => {
    const headers = { ...route.request().headers() };
    delete headers["if-none-match"];
    return route.continue({ headers });
  };
  let hold: ((route: Route) => void) | null = null;
  await page.route("**/api/fleet*", async (route) => {
    if (hold) hold(route);
    else await strip(route);
  });
  const quietHeap = async () => {
    const held = await new Promise<Route>((resolve) => (hold = resolve));
    hold = null;
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
    const used = await heap(cdp);
    await strip(held);
    return used;
  };
  // A few full refreshes first: the code paths of a refresh get compiled and their caches filled,
  // which is start-up, not growth.
  seen = [];
  await waitFor(HEAP_WARMUP);
  const heapBeforeBytes = await quietHeap();
  seen = [];
  await waitFor(HEAP_REFRESHES);
  const heapAfterBytes = await quietHeap();
  const full = seen.filter((x) => x.status === 200).map((x) => x.bytes);
  await page.unroute("**/api/fleet*");
  return {
    heapBeforeBytes,
    heapAfterBytes,
    heapGrowth: (heapAfterBytes - heapBeforeBytes) / heapBeforeBytes,
    refreshBytes200: quantile(full, 0.5),
    refreshBytes304: bytes304.length ? quantile(bytes304, 0.5) : null,
    conditional: { ok200: own.filter((x) => x.status === 200).length, notModified304: bytes304.length },
  };
}

async function heap(cdp: CDPSession): Promise<number> {
  await cdp.send("HeapProfiler.enable");
  await cdp.send("HeapProfiler.collectGarbage");
  await cdp.send("HeapProfiler.collectGarbage");
  const { usedSize } = await cdp.send("Runtime.getHeapUsage");
  return usedSize;
}
