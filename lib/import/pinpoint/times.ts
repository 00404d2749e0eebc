/**
 * Pinpoint's times as Baton writes them: ISO 8601 durations (Baton takes whole units only),
 * ISO 8601 date-times (Baton wants an offset), and the UTC offsets of `Schedule.Timezone`
 * ("UTC+05:30") as IANA zones.
 */
import { isValidTimeZone } from '../../core/zoned-time';
import { DURATION_PATTERN, show } from '../../journey/schema';
import type { Report } from './report';

const NUM = '(\\d+(?:[.,]\\d+)?)';
const ISO_DURATION = new RegExp(
  `^P(?!$)(?:${NUM}Y)?(?:${NUM}M)?(?:${NUM}W)?(?:${NUM}D)?(?:T(?=\\d)(?:${NUM}H)?(?:${NUM}M)?(?:${NUM}S)?)?$`,
);

export interface Duration {
  /** The duration as Baton writes it (whole units). */
  text: string;
  seconds: number;
  /** The text had to change: a fraction became whole seconds (rounded up when not whole). */
  rewritten?: 'whole-seconds' | 'rounded-up';
  /** It counts months or years, which Baton takes as 30 and 365 days. */
  calendar: boolean;
}

/** An ISO 8601 duration (PT1H, P1D, PT1.5H), or undefined when the text is not one. */
export function parseDuration(text: string): Duration | undefined {
  const m = ISO_DURATION.exec(text);
  if (!m) return undefined;
  const n = (s: string | undefined) => (s ? Number.parseFloat(s.replace(',', '.')) : 0);
  const [, y, mo, w, d, h, mi, s] = m;
  const seconds =
    n(y) * 365 * 86400 + n(mo) * 30 * 86400 + n(w) * 7 * 86400 + n(d) * 86400 + n(h) * 3600 + n(mi) * 60 + n(s);
  const calendar = y !== undefined || mo !== undefined;
  if (DURATION_PATTERN.test(text)) return { text, seconds, calendar };
  const whole = Math.ceil(seconds - 1e-9);
  return {
    text: formatSeconds(whole),
    seconds: whole,
    rewritten: Math.abs(whole - seconds) < 1e-9 ? 'whole-seconds' : 'rounded-up',
    calendar,
  };
}

/** Whole seconds as the shortest ISO duration: P1DT2H30M. */
export function formatSeconds(total: number): string {
  if (total <= 0) return 'PT0S';
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const time = `${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}`;
  return `P${d ? `${d}D` : ''}${time ? `T${time}` : ''}`;
}

const DATE_TIME =
  /^(\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))[T ]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export interface DateTime {
  /** RFC 3339 with seconds and an offset (the one given, or Z when none was): what Baton reads. */
  instant: string;
  /** The wall time, without offset: 2026-12-01T09:00:00. */
  wall: string;
  /** The offset was given in the text; without one the time was read as UTC. */
  hasOffset: boolean;
  ms: number;
}

/** An ISO 8601 date-time, or undefined when the text is not one. */
export function parseDateTime(text: string): DateTime | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [, date, , , hh, mm, ss = '00', , zone] = m;
  // A day the month does not have (February 30): Date.parse would roll it into the next month.
  const [y, mo, d] = date.split('-').map(Number);
  if (d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return undefined;
  const wall = `${date}T${hh}:${mm}:${ss}`;
  const offset = zone ? normalizeOffset(zone) : 'Z';
  const instant = `${wall}${offset}`;
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) return undefined;
  return { instant, wall, hasOffset: zone !== undefined, ms };
}

function normalizeOffset(zone: string): string {
  if (zone.toUpperCase() === 'Z') return 'Z';
  const digits = zone.slice(1).replace(':', '');
  return `${zone[0]}${digits.slice(0, 2)}:${digits.slice(2, 4) || '00'}`;
}

/**
 * A date-time (checked by definitionProblems) as Baton writes it: with its offset, or read as UTC
 * with a todo at `at` to check it when it has none.
 */
export function instantOf(text: string, at: string, report: Report): string {
  const t = parseDateTime(text)!;
  if (!t.hasOffset) report.todo(at, `${show(text)} has no UTC offset: written as UTC (${t.instant}); check it`);
  return t.instant;
}

/** The wall time an instant shows at a fixed UTC offset (minutes east of UTC). */
export function wallTimeAt(ms: number, offsetMinutes: number): string {
  return new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
}

/**
 * Zones whose offset is fixed today (none of them changes its clocks), for offsets Etc/GMT cannot
 * write; and the zones that show the offset only for part of the year.
 */
const FRACTIONAL_ZONES: Record<string, { zone: string; fixed: boolean }> = {
  '+03:30': { zone: 'Asia/Tehran', fixed: true },
  '+04:30': { zone: 'Asia/Kabul', fixed: true },
  '+05:30': { zone: 'Asia/Kolkata', fixed: true },
  '+05:45': { zone: 'Asia/Kathmandu', fixed: true },
  '+06:30': { zone: 'Asia/Yangon', fixed: true },
  '+08:45': { zone: 'Australia/Eucla', fixed: true },
  '+09:30': { zone: 'Australia/Darwin', fixed: true },
  '+10:30': { zone: 'Australia/Lord_Howe', fixed: false },
  '+12:45': { zone: 'Pacific/Chatham', fixed: false },
  '+13:45': { zone: 'Pacific/Chatham', fixed: false },
  '-02:30': { zone: 'America/St_Johns', fixed: false },
  '-03:30': { zone: 'America/St_Johns', fixed: false },
  '-09:30': { zone: 'Pacific/Marquesas', fixed: true },
};

export type ZoneMapping =
  /** exact: the same clock all year (UTC, Etc/GMT±N, or an IANA name given as such). */
  | { kind: 'exact'; zone: string; offsetMinutes?: number }
  /** A place that keeps this offset today, but is a place, not an offset: to confirm. */
  | { kind: 'place'; zone: string; offsetMinutes: number }
  /** A place that shows this offset for part of the year only: to replace with the audience's zone. */
  | { kind: 'seasonal'; zone: string; offsetMinutes: number };

const UTC_OFFSET = /^(?:UTC|GMT)(?:([+-])(\d{1,2})(?::?(\d{2}))?)?$/i;

/** `Schedule.Timezone` ("UTC", "UTC+05", "UTC-09:30") as an IANA zone; undefined when it is none of them. */
export function zoneOfOffset(text: string): ZoneMapping | undefined {
  const m = UTC_OFFSET.exec(text.trim());
  if (!m) return isValidTimeZone(text) && text.includes('/') ? { kind: 'exact', zone: text } : undefined;
  const [, sign, hours, minutes = '00'] = m;
  if (!sign || (Number(hours) === 0 && minutes === '00')) return { kind: 'exact', zone: 'UTC', offsetMinutes: 0 };
  const h = Number(hours);
  const mins = Number(minutes);
  if (h > 14 || mins > 59) return undefined;
  const offsetMinutes = (sign === '-' ? -1 : 1) * (h * 60 + mins);
  // Etc/GMT zones count the other way: Etc/GMT-5 is five hours ahead of UTC (POSIX signs).
  if (mins === 0) return { kind: 'exact', zone: `Etc/GMT${sign === '+' ? '-' : '+'}${h}`, offsetMinutes };
  const known = FRACTIONAL_ZONES[`${sign}${hours.padStart(2, '0')}:${minutes}`];
  if (!known) return undefined;
  return { kind: known.fixed ? 'place' : 'seasonal', zone: known.zone, offsetMinutes };
}

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

/** A time of day HH:MM as QuietTime writes it. */
export function isClock(text: string): boolean {
  return CLOCK.test(text);
}
