import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

const h = vi.hoisted(() => ({ identity: null as unknown, backend: null as unknown }));
vi.mock("@/lib/auth/current", () => ({ currentIdentity: async () => h.identity }));
vi.mock("@/lib/backends", () => ({ getBackend: () => h.backend }));

import type { Identity } from "@/lib/auth/roles";
import { sharedCache } from "@/lib/cache/shared-cache";
import { setConfigForTests } from "@/lib/config";
import type { FakeBackend } from "@/test/support/services/fake-backend";
import { fleetBackend, shippedConfig, viewer } from "@/test/support/services/fixtures";
import { GET } from "./route";

const get = (headers: Record<string, string> = {}) =>
  GET(new Request("http://localhost/api/fleet?range=1h", { headers }));

beforeAll(() => setConfigForTests(shippedConfig()));
afterAll(() => setConfigForTests(undefined));
beforeEach(() => {
  h.backend = fleetBackend();
  h.identity = viewer;
  sharedCache().clear();
});

describe("GET /api/fleet: conditional refresh", () => {
  it("answers a weak ETag, private no-cache, and the per-region fetch times", async () => {
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toMatch(/^W\/"[A-Za-z0-9_-]{20,}"$/);
    expect(res.headers.get("cache-control")).toBe("private, no-cache");
    const body = await res.json();
    expect(res.headers.get("x-capstan-fetched-at")).toBe(
      body.regions.map((r: { region: string; fetchedAt: string }) => `${r.region}=${r.fetchedAt}`).join(","),
    );
  });

  it("If-None-Match with the current version → 304 with no body; with another → 200", async () => {
    const first = await get();
    const etag = first.headers.get("etag")!;
    const again = await get({ "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("etag")).toBe(etag);
    expect(again.headers.get("cache-control")).toBe("private, no-cache");
    // Weak comparison, lists and "*" as RFC 9110 has them.
    expect((await get({ "if-none-match": etag.replace(/^W\//, "") })).status).toBe(304);
    expect((await get({ "if-none-match": `W/"other", ${etag}` })).status).toBe(304);
    expect((await get({ "if-none-match": "*" })).status).toBe(304);
    expect((await get({ "if-none-match": 'W/"other"' })).status).toBe(200);
  });

  it("a change in the fleet makes a new version: the old one gets the full body", async () => {
    const etag = (await get()).headers.get("etag")!;
    const backend = h.backend as FakeBackend;
    const g = (await backend.listGroups("us-east-1"))[0]!;
    await backend.setDesiredCapacity("us-east-1", g.groupName, g.desired + 1);
    sharedCache().invalidate("groups:");
    const res = await get({ "if-none-match": etag });
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).not.toBe(etag);
  });

  it("signed out is 401 even with a matching version, and a narrower scope has its own version", async () => {
    const etag = (await get()).headers.get("etag")!;
    h.identity = null;
    const res = await get({ "if-none-match": etag });
    expect(res.status).toBe(401);
    h.identity = {
      name: "w",
      role: "viewer",
      source: "token",
      scope: { pools: ["worker-*"] },
    } satisfies Identity;
    const scoped = await get({ "if-none-match": etag });
    expect(scoped.status).toBe(200);
    expect(scoped.headers.get("etag")).not.toBe(etag);
  });
});
