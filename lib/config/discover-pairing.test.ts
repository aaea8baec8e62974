import { describe, expect, it } from "vitest";
import { nameKey, pairGroups, toPoolId, type DiscoveredGroup } from "./discover-pairing";

const R: [string, string] = ["us-east-1", "us-west-2"];
const g = (region: string, name: string, tags: Record<string, string> = {}): DiscoveredGroup => ({
  region,
  name,
  tags,
});

describe("pairing groups into pools", () => {
  it("strips region and environment words from names", () => {
    expect(nameKey("prod-app-use1", R)).toBe("app");
    expect(nameKey("dr-app-usw2", R)).toBe("app");
    expect(nameKey("tave-prod-calendar-us-east-1", R)).toBe("tave-calendar");
    expect(nameKey("Standby_Tave_Calendar_uswest2", R)).toBe("tave-calendar");
    expect(nameKey("primary-worker-email", R)).toBe("worker-email");
  });

  it("makes a valid pool id or none", () => {
    expect(toPoolId("app")).toBe("app");
    expect(toPoolId("2fa-api")).toBe("pool-2fa-api");
    expect(toPoolId("--")).toBeNull();
  });

  it("pairs by the tag's value when any group carries it, and says what is missing", () => {
    const p = pairGroups(
      [
        g("us-east-1", "a", { "capstan:pool": "web" }),
        g("us-west-2", "b", { "capstan:pool": "web" }),
        g("us-east-1", "c", { "capstan:pool": "jobs" }),
        g("us-east-1", "misc"),
      ],
      "capstan:pool",
      R,
    );
    expect(p.mode).toBe("tag");
    expect(p.pools.map((x) => [x.id, Object.values(x.groups).map((y) => y.name)])).toEqual([
      ["web", ["a", "b"]],
      ["jobs", ["c"]],
    ]);
    expect(p.notes).toContain("jobs: no group in us-west-2 carries capstan:pool=jobs");
    expect(p.notes).toContain("1 group(s) without the capstan:pool tag were left out (tag them to add them)");
  });

  it("refuses an invalid tag value and a second group claiming a pool in one region", () => {
    const p = pairGroups(
      [
        g("us-east-1", "a", { "capstan:pool": "Web App" }),
        g("us-east-1", "b", { "capstan:pool": "web" }),
        g("us-east-1", "c", { "capstan:pool": "web" }),
      ],
      "capstan:pool",
      R,
    );
    expect(p.pools.map((x) => x.id)).toEqual(["web"]);
    expect(p.pools[0]!.groups["us-east-1"]!.name).toBe("b");
    expect(p.notes.join("\n")).toMatch(/Web App is not a pool id/);
    expect(p.notes.join("\n")).toMatch(/b and c both carry capstan:pool=web/);
  });

  it("without tags, pairs by name and leaves ambiguous names out", () => {
    const p = pairGroups(
      [
        g("us-east-1", "prod-app-use1"),
        g("us-west-2", "dr-app-usw2"),
        g("us-east-1", "prod-api"),
        g("us-east-1", "api-primary"),
        g("us-west-2", "dr-solo-usw2"),
      ],
      "capstan:pool",
      R,
    );
    expect(p.mode).toBe("name");
    expect(p.pools.map((x) => [x.id, x.by, Object.keys(x.groups)])).toEqual([
      ["app", "name", ["us-east-1", "us-west-2"]],
      ["solo", "name", ["us-west-2"]],
    ]);
    expect(p.notes.join("\n")).toMatch(/several groups read as "api" in us-east-1/);
  });
});
