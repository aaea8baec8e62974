/**
 * Only a path on this site: an open redirect after sign-in would be a phishing aid. Browsers
 * read "/\evil.example" and "/\t/evil.example" as other hosts, so the path is resolved the way a
 * browser would and must stay on the same origin.
 */
export function safeNext(next: string | string[] | undefined): string {
  if (typeof next !== "string" || !next.startsWith("/") || /[\\\u0000-\u001f]/.test(next)) return "/";
  try {
    const url = new URL(next, "http://capstan.invalid");
    return url.origin === "http://capstan.invalid" ? `${url.pathname}${url.search}${url.hash}` : "/";
  } catch {
    return "/";
  }
}
