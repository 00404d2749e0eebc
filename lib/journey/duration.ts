import { DURATION_PATTERN } from './schema';

const DAY = 86_400;

/** Seconds in an ISO 8601 duration (a month counts 30 days, a year 365); undefined when malformed. */
export function durationSeconds(text: string): number | undefined {
  const m = DURATION_PATTERN.exec(text);
  if (!m) return undefined;
  const n = (s: string | undefined) => (s ? Number.parseFloat(s.slice(0, -1)) : 0);
  const [, y, mo, w, d, , h, mi, s] = m;
  return n(y) * 365 * DAY + n(mo) * 30 * DAY + n(w) * 7 * DAY + n(d) * DAY + n(h) * 3600 + n(mi) * 60 + n(s);
}

/** One year, the longest a Standard state machine execution (and a Wait) may last. */
export const ONE_YEAR_SECONDS = 365 * DAY;
