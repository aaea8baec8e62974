import "server-only";
import { ValidationError } from "@/lib/errors";

/** The request body as JSON, or a 400 that says so (never a 500 for a client's typo). */
export async function readJson(req: Request, maxBytes = 16_384): Promise<unknown> {
  const text = await req.text();
  if (text.length > maxBytes) throw new ValidationError("Request body too large.", { _: `at most ${maxBytes} bytes` });
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError("Request body is not valid JSON.", { _: "expected a JSON object" });
  }
}
