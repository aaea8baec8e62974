import { afterEach, describe, expect, it, vi } from "vitest";
import { api, request } from "./api";

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });

afterEach(() => vi.unstubAllGlobals());

describe("the browser's API client", () => {
  it("hands back the data of a 2xx, typed, and sends JSON bodies with their content type", async () => {
    const fetch = vi.fn(async () => json(200, { record: { id: "a" }, pool: null, replayed: false }));
    vi.stubGlobal("fetch", fetch);
    const res = await api.changeCapacity("us-east-1", "app", {
      desired: 5,
      expectedDesired: 4,
      reason: "why not",
      idempotencyKey: "k",
    });
    expect(res).toMatchObject({ ok: true, status: 200, data: { replayed: false } });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/pools/us-east-1/app/capacity");
    expect(init.method).toBe("POST");
    expect(new Headers(init.headers).get("content-type")).toBe("application/json");
    expect(JSON.parse(String(init.body))).toMatchObject({ desired: 5 });
  });

  it("passes the server's error body through as the one error shape, fields and extras included", async () => {
    vi.stubGlobal("fetch", async () =>
      json(400, {
        error: "Check the highlighted fields.",
        kind: "validation",
        fields: { reason: "too short" },
      }),
    );
    const res = await api.signIn("", "operator");
    expect(res).toMatchObject({
      ok: false,
      status: 400,
      error: { error: "Check the highlighted fields.", kind: "validation", fields: { reason: "too short" } },
    });
    vi.stubGlobal("fetch", async () =>
      json(409, { error: "Conflict", kind: "conflict", current: { desired: 7, inService: 6 } }),
    );
    expect(await api.cancelRevert("us-east-1", "app")).toMatchObject({
      ok: false,
      status: 409,
      error: { current: { desired: 7 } },
    });
  });

  it("a body that is not the error shape (a proxy's HTML page) becomes `HTTP <status>`", async () => {
    vi.stubGlobal("fetch", async () => new Response("<html>bad gateway</html>", { status: 502 }));
    expect(await request("/api/standby")).toMatchObject({
      ok: false,
      status: 502,
      error: { error: "HTTP 502", kind: "http" },
    });
  });

  it("a network failure is status 0, kind network; an abort is still thrown (the caller asked for it)", async () => {
    vi.stubGlobal("fetch", async () => {
      throw new TypeError("Failed to fetch");
    });
    expect(await api.standbyPlan()).toMatchObject({
      ok: false,
      status: 0,
      error: { error: "Network error: Failed to fetch", kind: "network" },
    });
    vi.stubGlobal("fetch", async () => {
      throw Object.assign(new Error("aborted"), { name: "AbortError" });
    });
    await expect(api.predict("us-east-1", "app", 5)).rejects.toThrow("aborted");
  });

  it("a conditional GET: If-None-Match sent, 304 is ok with no data; the early request is used, and asked again if it failed", async () => {
    const fetch = vi.fn(async () => new Response(null, { status: 304, headers: { etag: '"v1"' } }));
    vi.stubGlobal("fetch", fetch);
    const res = await api.fleet({ etag: '"v1"' });
    expect(res).toMatchObject({ ok: true, status: 304, data: null });
    expect(
      new Headers((fetch.mock.calls[0] as unknown as [string, RequestInit])[1].headers).get("if-none-match"),
    ).toBe('"v1"');

    fetch.mockClear();
    const early = await api.fleet({ early: Promise.resolve(json(200, { regions: [] })) });
    expect(early).toMatchObject({ ok: true, data: { regions: [] } });
    expect(fetch).not.toHaveBeenCalled();
    await api.fleet({ early: Promise.reject(new TypeError("offline")) });
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
