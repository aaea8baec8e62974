import "server-only";
/**
 * A key id that has verified a token once is known (its key is cached by the verifier). Any
 * other kid may cost a key download, and a forger can mint endless UUIDs: at most `perMinute`
 * unknown kids are tried per minute; past that, a token with an unknown kid is refused without
 * a fetch. Known kids are never limited, so a flood of forgeries does not lock real users out.
 */
export class KidLimiter {
  private readonly known = new Set<string>();
  private windowStart = 0;
  private used = 0;

  constructor(
    readonly perMinute = 10,
    private readonly maxKnown = 100,
  ) {}

  mayFetch(kid: string, nowMs: number): boolean {
    if (this.known.has(kid)) return true;
    if (nowMs - this.windowStart >= 60_000) {
      this.windowStart = nowMs;
      this.used = 0;
    }
    if (this.used >= this.perMinute) return false;
    this.used++;
    return true;
  }

  verified(kid: string): void {
    if (this.known.size >= this.maxKnown) this.known.clear(); // ALBs rotate keys rarely; bounded anyway
    this.known.add(kid);
  }
}
