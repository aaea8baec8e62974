import "server-only";
/**
 * An untrusted value (an unverified header's field, a library error quoting it) as one short,
 * quoted, printable line: control characters, line breaks, ANSI escapes and bidi controls are
 * escaped, so a forged header can neither add a fake log line nor disguise one.
 */
export function logSafe(value: unknown, max = 120): string {
  return `"${escapeForLog(value, max).replace(/"/g, "\\u0022")}"`;
}

/** The same escaping without the quotes, for text we compose around an untrusted part. */
export function escapeForLog(value: unknown, max = 300): string {
  const s = String(value);
  const cut = s.length > max ? `${s.slice(0, max)}…` : s;
  return cut.replace(
    /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\\]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
