import "server-only";
const BASE = "http://capstan.invalid";

/**
 * Only a path on this site: an open redirect after sign-in would be a phishing aid. Browsers
 * read "/\evil.example" and "/\t/evil.example" as other hosts, so the path is resolved the way a
 * browser would and must stay on the same origin. The resolved result is itself a URL the browser
 * will resolve again ("/.//evil.example" resolves to "//evil.example", another host), so it must
 * be a fixed point: it resolves to itself, on this origin, and is not scheme- or host-relative.
 */
export function safeNext(next: string | string[] | undefined): string {
  if (typeof next !== "string" || !isPlainPath(next)) return "/";
  try {
    const url = new URL(next, BASE);
    if (url.origin !== BASE) return "/";
    const out = `${url.pathname}${url.search}${url.hash}`;
    if (!isPlainPath(out)) return "/";
    const again = new URL(out, BASE);
    return again.origin === BASE && `${again.pathname}${again.search}${again.hash}` === out ? out : "/";
  } catch {
    return "/";
  }
}

/** One leading slash, no second slash or backslash after it, no control or whitespace characters. */
function isPlainPath(s: string): boolean {
  return s.startsWith("/") && !/^\/[\\/]/.test(s) && !/[\\\u0000-\u0020\u007f]/.test(s);
}
