/** Wall-clock time in IANA zones, correct across daylight-saving changes (Intl, no tz database copy). */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isValidTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/**
 * Offsets of zones (local minus UTC, ms) by 15-minute span of time, for spans with no change of
 * offset inside: formatToParts costs tens of microseconds, and every send and every local-time
 * wait reads the clock in the customer's zone. Zones change offset at most a few times a year,
 * never twice within 15 minutes, so a span whose first and last seconds share an offset has it
 * throughout; a span with a change inside is never cached.
 */
const offsets = new Map<string, number>();
const SPAN_MS = 15 * 60_000;
const MAX_CACHED_OFFSETS = 10_000;

/** The wall-clock reading in `zone` at instant `ms`. */
export function localTime(ms: number, zone: string): LocalTime {
  const span = Math.floor(ms / SPAN_MS);
  const key = `${span} ${zone}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const first = exactOffsetAt(span * SPAN_MS, zone);
    if (first !== exactOffsetAt((span + 1) * SPAN_MS - 1000, zone)) return formattedTime(ms, zone);
    if (offsets.size >= MAX_CACHED_OFFSETS) offsets.clear();
    offsets.set(key, first);
    offset = first;
  }
  return utcFields(Math.floor(ms / 1000) * 1000 + offset);
}

/** The UTC calendar fields of an instant: a wall time kept as if it were UTC reads back with them. */
export function utcFields(ms: number): LocalTime {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

/** The offset of `zone` at `ms`, read from the formatter. */
function exactOffsetAt(ms: number, zone: string): number {
  const t = formattedTime(ms, zone);
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) - Math.floor(ms / 1000) * 1000;
}

/** The wall-clock reading in `zone` at instant `ms`, read from the formatter. */
function formattedTime(ms: number, zone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour,
    minute: parts.minute,
    second: parts.second,
  };
}

function offsetAt(ms: number, zone: string): number {
  const t = localTime(ms, zone);
  const asUtc = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant when the wall clock in `zone` shows this local time. A time skipped by a
 * daylight-saving jump maps to the first instant after the jump.
 */
export function zonedToUtc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  zone: string,
): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const first = guess - offsetAt(guess, zone);
  const second = guess - offsetAt(first, zone);
  if (first === second) return first;
  // Around a change the two candidates differ; take the one whose local reading matches, else the later.
  const t = localTime(second, zone);
  return t.hour === hour && t.minute === minute ? second : Math.max(first, second);
}

/** Minutes since local midnight for "HH:MM". */
export function clockMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/**
 * When the instant `ms` falls inside the daily window [start, end) in `zone` (a window may cross
 * midnight), the instant the window closes; otherwise undefined.
 */
export function windowEnd(ms: number, zone: string, start: string, end: string): number | undefined {
  const t = localTime(ms, zone);
  const now = t.hour * 60 + t.minute;
  const s = clockMinutes(start);
  const e = clockMinutes(end);
  const inside = s < e ? now >= s && now < e : now >= s || now < e;
  if (!inside) return undefined;
  // The window closes today unless it crosses midnight and we are before midnight.
  const closesTomorrow = s > e && now >= s;
  const base = Date.UTC(t.year, t.month - 1, t.day + (closesTomorrow ? 1 : 0));
  const d = new Date(base);
  return zonedToUtc(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), Math.floor(e / 60), e % 60, zone);
}

/** The first instant after `ms` at which the wall clock in `zone` shows "HH:MM". */
export function nextLocalTime(ms: number, zone: string, hhmm: string): number {
  const t = localTime(ms, zone);
  const minutes = clockMinutes(hhmm);
  for (let days = 0; days < 3; days++) {
    const d = new Date(Date.UTC(t.year, t.month - 1, t.day + days));
    const at = zonedToUtc(
      d.getUTCFullYear(),
      d.getUTCMonth() + 1,
      d.getUTCDate(),
      Math.floor(minutes / 60),
      minutes % 60,
      zone,
    );
    if (at > ms) return at;
  }
  throw new Error(`no ${hhmm} in ${zone} within three days of ${new Date(ms).toISOString()}`);
}

/** Hour of the week (0 = Sunday 00:00–01:00 … 167) that the wall clock in `zone` shows at `ms`. */
export function hourOfWeek(ms: number, zone: string): number {
  const t = localTime(ms, zone);
  const weekday = new Date(Date.UTC(t.year, t.month - 1, t.day)).getUTCDay();
  return weekday * 24 + t.hour;
}

/**
 * The first instant at or after `ms` that falls in local hour-of-week `how` in `zone`: `ms` itself
 * when it already does, else the start of that local hour.
 */
export function nextHourOfWeek(ms: number, zone: string, how: number): number {
  for (let k = 0; k <= 170; k++) {
    const probe = ms + k * 3_600_000;
    if (hourOfWeek(probe, zone) !== how) continue;
    if (k === 0) return ms;
    const t = localTime(probe, zone);
    return Math.max(ms, zonedToUtc(t.year, t.month, t.day, t.hour, 0, zone));
  }
  return ms;
}
