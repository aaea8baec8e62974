import { describe, expect, it } from "vitest";
import type { FleetView } from "@/lib/fleet/views";
import { fetchedAtHeader } from "@/lib/services/conditional";
import { parseFetchedAt } from "./fleet-refresh";

describe("X-Capstan-Fetched-At: what a 304 tells the board about data age", () => {
  it("the client reads back what the route writes, a never-reached region as null", () => {
    const view = {
      generatedAt: "2026-12-02T01:00:00.000Z",
      range: "1h",
      period: 60,
      regions: [
        {
          region: "us-east-1",
          role: "primary",
          status: "ok",
          fetchedAt: "2026-12-02T00:59:58.123Z",
          pools: [],
        },
        { region: "us-west-2", role: "standby", status: "error", fetchedAt: null, pools: [] },
      ],
    } satisfies FleetView;
    const parsed = parseFetchedAt(fetchedAtHeader(view));
    expect([...parsed]).toEqual([
      ["us-east-1", "2026-12-02T00:59:58.123Z"],
      ["us-west-2", null],
    ]);
  });

  it("a missing or malformed header changes nothing", () => {
    expect(parseFetchedAt(null).size).toBe(0);
    expect(parseFetchedAt("garbage,=x").size).toBe(0);
  });
});
