import { describe, expect, it } from "vitest";
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from "@/lib/errors";
import { readJson } from "./request";

const json = { "content-type": "application/json" };

function streamed(first: Uint8Array, state: { cancelled: boolean }) {
  // The first chunk arrives; the rest never does (the client is still sending).
  let sent = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!sent) {
        sent = true;
        controller.enqueue(first);
      }
      return new Promise(() => undefined);
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return new Request("http://x/api", { method: "POST", headers: json, body, duplex: "half" } as RequestInit);
}

describe("readJson", () => {
  it("parses an application/json body (charset allowed)", async () => {
    const req = new Request("http://x", {
      method: "POST",
      headers: { "content-type": "Application/JSON; charset=utf-8" },
      body: '{"a":1}',
    });
    await expect(readJson(req)).resolves.toEqual({ a: 1 });
  });

  it.each([
    undefined,
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/jsonp",
  ])("refuses Content-Type %s with 415", async (type) => {
    const req = new Request("http://x", {
      method: "POST",
      headers: type ? { "content-type": type } : {},
      body: '{"a":1}',
    });
    if (!type) req.headers.delete("content-type");
    await expect(readJson(req)).rejects.toBeInstanceOf(UnsupportedMediaTypeError);
  });

  it("refuses a declared Content-Length beyond the limit without reading the body (413)", async () => {
    const state = { cancelled: false };
    const req = streamed(new Uint8Array(10), state);
    req.headers.set("content-length", "1000000");
    await expect(readJson(req, 100)).rejects.toBeInstanceOf(PayloadTooLargeError);
  });

  it("answers 413 as soon as the streamed body passes the limit, before the rest arrives", async () => {
    const state = { cancelled: false };
    const req = streamed(new Uint8Array(200).fill(32), state);
    const err = await readJson(req, 100).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect((err as PayloadTooLargeError).status).toBe(413);
    expect(state.cancelled).toBe(true);
  });

  it("counts bytes, not characters", async () => {
    const req = new Request("http://x", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ r: "é".repeat(60) }),
    });
    await expect(readJson(req, 100)).rejects.toBeInstanceOf(PayloadTooLargeError);
  });

  it("a typo is a 400, not a 500", async () => {
    const req = new Request("http://x", { method: "POST", headers: json, body: "{" });
    await expect(readJson(req)).rejects.toBeInstanceOf(ValidationError);
  });
});
