/**
 * The runs of an audience schedule (SPEC §6): once, or every `repeat` until `end`. A run has a
 * time `runAt`: the UTC instant (`2026-12-03T16:00:00Z`), or with `localTime` the wall time
 * (`2026-12-01T09:00:00`) that each customer's own clock must show. A repeat is added to the
 * calendar fields (months are calendar months, days calendar days), so a weekly local-time run
 * stays at 09:00 on every customer's clock across a daylight-saving change.
 */

import { utcFields, zonedToUtc } from '../core/zoned-time';
import { instantMillis, isCalendarDate } from '../journey/instant';
import { DURATION_PATTERN, type Schedule } from '../journey/schema';

/** A wall-clock reading, with no zone. */
export interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** One run of a schedule. */
export interface Run {
  /** 0 for the first run, then one more per repeat. */
  index: number;
  /** The run's time: a UTC instant, or a wall time for localTime. */
  runAt: string;
  /** The first instant any member may enter: the instant itself, or the wall time where clocks are furthest ahead (UTC+14). */
  earliest: number;
  /** The last instant any member may enter (UTC-12 for localTime). */
  latest: number;
}

const HOUR_MS = 3_600_000;
/** The furthest clocks run ahead of UTC (Pacific/Kiritimati) and behind it (Etc/GMT+12). */
const MOST_AHEAD_MS = 14 * HOUR_MS;
const MOST_BEHIND_MS = 12 * HOUR_MS;

/** A wall time: date, hours and minutes, seconds optional, no offset. */
export const WALL_TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;

/** The wall time a text names, or undefined when it is not one (or names no calendar day). */
export function parseWall(text: string): Wall | undefined {
  const m = WALL_TIME_PATTERN.exec(text);
  if (!m || !isCalendarDate(text)) return undefined;
  const [, year, month, day, hour, minute, second] = m.map(Number);
  return { year, month, day, hour, minute, second: Number.isNaN(second) ? 0 : second };
}

/** `2026-12-01T09:00:00`: how a localTime run's runAt reads. */
export function formatWall(w: Wall): string {
  const p = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${p(w.year, 4)}-${p(w.month)}-${p(w.day)}T${p(w.hour)}:${p(w.minute)}:${p(w.second)}`;
}

/** `2026-12-03T16:00:00Z`: how a UTC run's runAt, and a member's enterAt, read (milliseconds only when there are some). */
export function formatInstant(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** The wall time as if it were UTC, in ms: for arithmetic and comparison of wall times. */
export function wallMillis(w: Wall): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

/** The instant a wall time shows in `zone`; a time a daylight-saving jump skips is the first instant after it. */
export function wallInZone(w: Wall, zone: string): number {
  return zonedToUtc(w.year, w.month, w.day, w.hour, w.minute, zone) + w.second * 1000;
}

/**
 * `times` repeats of an ISO duration added to a wall time, field by field: years and months move
 * the calendar month (the 31st becomes the month's last day when it has fewer), weeks and days
 * the calendar day, then hours, minutes and seconds.
 */
export function addRepeats(w: Wall, duration: string, times: number): Wall {
  const m = DURATION_PATTERN.exec(duration);
  if (!m) throw new RangeError(`not an ISO 8601 duration: ${duration}`);
  const n = (s: string | undefined) => (s ? Number(s.slice(0, -1)) : 0) * times;
  const [, y, mo, wk, d, , h, mi, s] = m;
  const months = w.month - 1 + n(y) * 12 + n(mo);
  const year = w.year + Math.floor(months / 12);
  const month = (((months % 12) + 12) % 12) + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const date = Date.UTC(year, month - 1, Math.min(w.day, lastDay) + n(wk) * 7 + n(d), w.hour + n(h), w.minute + n(mi));
  return utcFields(date + (w.second + n(s)) * 1000);
}

/** How a schedule reads its start and end, once parsed. */
interface Parsed {
  local: boolean;
  start: Wall;
  /** Whether a run at this wall time (UTC fields for an instant schedule) is before `end`. */
  beforeEnd: (w: Wall) => boolean;
}

/**
 * Parse a validated schedule. `zone` is the journey's settings.timezone: a localTime run is
 * before an `end` with an offset when its wall time there is.
 */
function parse(schedule: Schedule, zone: string): Parsed {
  const local = schedule.localTime === true;
  const start = local ? parseWall(schedule.start) : wallOfInstant(schedule.start);
  if (!start) throw new RangeError(`not a schedule start: ${schedule.start}`);
  let beforeEnd: (w: Wall) => boolean = () => true;
  if (schedule.end !== undefined) {
    const endWall = local ? parseWall(schedule.end) : undefined;
    const endMs = endWall ? wallMillis(endWall) : instantMillis(schedule.end);
    if (endMs === undefined) throw new RangeError(`not a schedule end: ${schedule.end}`);
    beforeEnd = endWall || !local ? (w) => wallMillis(w) < endMs : (w) => wallInZone(w, zone) < endMs;
  }
  return { local, start, beforeEnd };
}

function wallOfInstant(text: string): Wall | undefined {
  const ms = instantMillis(text);
  return ms === undefined ? undefined : utcFields(ms);
}

/** Run number `index` of a schedule, or undefined when the schedule has no such run. */
export function runOf(schedule: Schedule, zone: string, index: number): Run | undefined {
  return runOfParsed(schedule, parse(schedule, zone), index);
}

function runOfParsed(schedule: Schedule, p: Parsed, index: number): Run | undefined {
  if (index > 0 && schedule.repeat === undefined) return undefined;
  const w = index === 0 ? p.start : addRepeats(p.start, schedule.repeat!, index);
  if (!p.beforeEnd(w)) return undefined;
  const at = wallMillis(w);
  if (!p.local) return { index, runAt: formatInstant(at), earliest: at, latest: at };
  return { index, runAt: formatWall(w), earliest: at - MOST_AHEAD_MS, latest: at + MOST_BEHIND_MS };
}

/**
 * The first run, counting from run `fromIndex`, that `accept` takes; undefined when none is
 * left. Runs come in time order, so the search stops at the first accepted one.
 */
export function findRun(
  schedule: Schedule,
  zone: string,
  accept: (run: Run) => boolean,
  fromIndex = 0,
): Run | undefined {
  const p = parse(schedule, zone);
  for (let i = fromIndex; ; i++) {
    const run = runOfParsed(schedule, p, i);
    if (!run) return undefined;
    if (accept(run)) return run;
  }
}

/** The instant a member enters a run: the run's instant, or for localTime when their own clock shows its wall time. */
export function memberInstant(runAt: string, zone: string): number {
  const wall = parseWall(runAt);
  if (wall) return wallInZone(wall, zone);
  const ms = instantMillis(runAt);
  if (ms === undefined) throw new RangeError(`not a run time: ${runAt}`);
  return ms;
}

/** The schedule in words, for the console and diagrams. */
export function describeSchedule(schedule: Schedule): string {
  const at = schedule.localTime ? `${schedule.start} on each customer's clock` : schedule.start;
  if (!schedule.repeat) return `once at ${at}`;
  return `every ${schedule.repeat} from ${at}${schedule.end ? ` until ${schedule.end}` : ''}`;
}
