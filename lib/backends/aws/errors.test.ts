import { describe, expect, it } from "vitest";
import { BackendError } from "@/lib/fleet/types";
import { toBackendError } from "./errors";

// Which failures are the region's (kept on screen as stale data) and which are the request's.

const where = { service: "autoscaling", region: "us-west-2" } as const;
const sdkError = (name: string, httpStatusCode: number, extra: object = {}) =>
  Object.assign(new Error(`${name} happened`), {
    name,
    $metadata: { httpStatusCode, requestId: "r-1" },
    ...extra,
  });

describe("toBackendError", () => {
  it.each([
    ["Throttling", 400, true],
    ["ThrottlingException", 400, true],
    ["RequestLimitExceeded", 503, true],
    ["ServiceUnavailable", 503, true],
    ["InternalFailure", 500, true],
    ["ResourceContention", 500, false], // one group is busy, not the region
    ["ValidationError", 400, false],
    ["AccessDenied", 403, false],
  ])("%s (HTTP %i) is regional: %s", (code, status, regional) => {
    const e = toBackendError(sdkError(code, status), where);
    expect(e).toMatchObject({
      code,
      message: `${code} happened`,
      requestId: "r-1",
      httpStatus: status,
      regional,
    });
  });

  it("an unreachable endpoint is a regional NetworkingError naming the service and region", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
    expect(toBackendError(refused, where)).toMatchObject({
      code: "NetworkingError",
      message: "Auto Scaling in us-west-2 is unreachable (connect ECONNREFUSED 127.0.0.1:9)",
      regional: true,
    });
    const wrapped = Object.assign(new AggregateError([refused], ""), { errors: [refused] });
    expect(toBackendError(wrapped, where).code).toBe("NetworkingError");
  });

  it.each([
    ["ValidationError", 400, true], // AWS refused: definitely not applied
    ["Throttling", 400, true],
    ["ResourceContention", 500, true], // documented as not applied
    ["InternalFailure", 500, false], // a server-side failure does not say whether it was applied
    ["ServiceUnavailable", 503, false],
  ])("%s (HTTP %i) answered definitely: %s", (code, status, answered) => {
    expect(toBackendError(sdkError(code, status), where).answered).toBe(answered);
  });

  it("no reply is not an answer: timeouts, lost connections and cancellations say so where they are made", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
    expect(toBackendError(refused, where).answered).toBe(false);
    expect(
      toBackendError(Object.assign(new Error("socket timed out"), { name: "TimeoutError" }), where).answered,
    ).toBe(false);
    expect(toBackendError(Object.assign(new Error("aborted"), { name: "AbortError" }), where).answered).toBe(
      false,
    );
  });

  it("missing credentials are not a regional condition: every region fails the same way", () => {
    const e = toBackendError(
      Object.assign(new Error("Could not load credentials from any providers"), {
        name: "CredentialsProviderError",
      }),
      where,
    );
    expect(e).toMatchObject({ code: "CredentialsProviderError", regional: false });
  });

  it("passes a BackendError through untouched", () => {
    const original = new BackendError("EmptyChange", "Nothing to change");
    expect(toBackendError(original, where)).toBe(original);
  });
});
