import "server-only";
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from "@/lib/errors";

/**
 * The request body as JSON, or the error that says why not (never a 500 for a client's typo).
 * Only `application/json` is accepted (415 otherwise: a form post or text/plain from another
 * site is never read as a change). The size limit is enforced while the stream is read: a
 * declared Content-Length beyond it is refused before reading anything, and a chunked body is
 * cancelled as soon as it passes the limit (413), before the rest arrives and before parsing.
 */
export async function readJson(req: Request, maxBytes = 16_384): Promise<unknown> {
  const type = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json")
    throw new UnsupportedMediaTypeError(
      `Send the body as application/json (got ${type ? JSON.stringify(type.slice(0, 100)) : "no Content-Type"}).`,
    );
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const text = await readCapped(req, maxBytes);
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError("Request body is not valid JSON.", { _: "expected a JSON object" });
  }
}

async function readCapped(req: Request, maxBytes: number): Promise<string> {
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

function tooLarge(maxBytes: number) {
  return new PayloadTooLargeError(`Request body too large: at most ${maxBytes} bytes.`);
}
