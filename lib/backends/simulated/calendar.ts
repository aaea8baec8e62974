import "server-only";
// Traffic follows US/Eastern office hours whichever region serves it, so the model needs Eastern
// wall-clock time, daylight saving included (a 9 a.m. ramp that jumps an hour in March would be
// visible on a 7-day graph). Computed by rule, not Intl, because it runs for every minute drawn.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Cached interval of constant offset, so consecutive minutes cost a comparison. */
let cached = { from: 0, to: 0, offset: -5 };

function nthSunday(year: number, month: number, n: number): number {
  const firstDow = new Date(Date.UTC(year, month, 1)).getUTCDay();
  return 1 + ((7 - firstDow) % 7) + 7 * (n - 1);
}

/** Hours to add to UTC for US/Eastern: -4 in daylight saving time, else -5 (rules since 2007). */
export function easternOffsetHours(t: number): number {
  if (t >= cached.from && t < cached.to) return cached.offset;
  const year = new Date(t).getUTCFullYear();
  // DST starts 2 a.m. EST on the second Sunday of March, ends 2 a.m. EDT on the first Sunday of November.
  const start = Date.UTC(year, 2, nthSunday(year, 2, 2), 7);
  const end = Date.UTC(year, 10, nthSunday(year, 10, 1), 6);
  if (t < start) cached = { from: Date.UTC(year, 0, 1), to: start, offset: -5 };
  else if (t < end) cached = { from: start, to: end, offset: -4 };
  else cached = { from: end, to: Date.UTC(year + 1, 0, 1), offset: -5 };
  return cached.offset;
}

export interface EasternTime {
  /** Local day number (days since 1970-01-01 in Eastern wall-clock time). */
  day: number;
  /** Fractional hour of the local day, 0–24. */
  hour: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

export function eastern(t: number): EasternTime {
  const local = t + easternOffsetHours(t) * HOUR;
  const day = Math.floor(local / DAY);
  return { day, hour: (local - day * DAY) / HOUR, weekday: (((day + 4) % 7) + 7) % 7 };
}
