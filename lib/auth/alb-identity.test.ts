import { describe, expect, it } from "vitest";
import { groupsFrom, identityFromAlbClaims, type AlbConfig } from "./alb-identity";

const alb: AlbConfig = {
  arns: ["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/capstan/1"],
  issuer: "https://idp.example.com",
  clientId: "capstan",
  nameClaim: "email",
  groupsClaim: "cognito:groups",
  roles: {
    "ops-admins": "admin",
    "dr-admins": { role: "admin", regions: ["us-west-2"] },
    "ops-workers": { role: "operator", pools: ["worker-*"] },
    staff: "viewer",
  },
};

const id = (claims: Record<string, unknown>) =>
  identityFromAlbClaims({ sub: "u-1", email: "kim@example.com", ...claims }, alb);

describe("ALB claims → identity", () => {
  it("names the person by the configured claim, else by sub; no name at all is no identity", () => {
    expect(id({ "cognito:groups": ["staff"] })?.name).toBe("kim@example.com");
    expect(id({ email: undefined, "cognito:groups": ["staff"] })?.name).toBe("u-1");
    expect(identityFromAlbClaims({ "cognito:groups": ["staff"] }, alb)).toBeNull();
  });

  it("reads groups from the configured claim as an array or a comma-separated string", () => {
    expect(groupsFrom(["a", "", 3, "b"])).toEqual(["a", "b"]);
    expect(groupsFrom(" a, b ,,c")).toEqual(["a", "b", "c"]);
    expect(groupsFrom({ a: 1 })).toEqual([]);
    expect(id({ groups: ["ops-admins"] })?.role).toBeNull(); // not the configured claim
  });

  it("maps no matching group to no role (403 everywhere), prototype names included", () => {
    expect(id({})).toEqual({ name: "kim@example.com", role: null, source: "alb" });
    expect(id({ "cognito:groups": ["constructor", "__proto__", "toString"] })?.role).toBeNull();
  });

  it("lets the highest role win; an unscoped grant needs no others", () => {
    expect(id({ "cognito:groups": ["staff", "ops-workers", "ops-admins"] })).toEqual({
      name: "kim@example.com",
      role: "admin",
      source: "alb",
    });
  });

  it("keeps a scoped grant's limits, and the other grants alongside", () => {
    expect(id({ "cognito:groups": ["dr-admins"] })).toEqual({
      name: "kim@example.com",
      role: "admin",
      source: "alb",
      scope: { regions: ["us-west-2"] },
    });
    expect(id({ "cognito:groups": ["dr-admins", "staff"] })).toEqual({
      name: "kim@example.com",
      role: "admin",
      source: "alb",
      scope: { regions: ["us-west-2"] },
      grants: [{ role: "admin", scope: { regions: ["us-west-2"] } }, { role: "viewer" }],
    });
  });
});
