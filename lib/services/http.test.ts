import { describe, expect, it } from "vitest";
import { errorResponse } from "./http";
import { RateLimitedError } from "@/lib/errors";

describe("errorResponse", () => {
  it("malformed percent-encoding (decodeURIComponent's URIError) is the client's 400, not a 500", async () => {
    let thrown: unknown;
    try {
      decodeURIComponent("%E0%A4%A");
    } catch (e) {
      thrown = e;
    }
    const res = errorResponse(thrown);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ kind: "validation" });
  });

  it("429 carries Retry-After", () => {
    const res = errorResponse(new RateLimitedError("slow down", 17));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("17");
  });
});
