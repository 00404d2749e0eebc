/**
 * The parameters of the results routes (SPEC §7), each checked before anything is read: a bad one
 * is a 400 naming it, the value found and what is allowed.
 */

import { EVENT_TYPE_PATTERN, JOURNEY_ID_PATTERN, show } from '../journey/schema';
import type { DayRange } from '../results/counters';
import { bad, type Checked, decodedPathId } from './params';

/** A journey id from the path (`{id}`), percent-decoded once and held to the journey id rule. */
export function journeyIdParam(raw: string): Checked<string> {
  const decoded = decodedPathId(raw, 'the journey id');
  if (!decoded.ok) return decoded;
  const id = decoded.value;
  return JOURNEY_ID_PATTERN.test(id)
    ? decoded
    : bad(
        'bad-journey-id',
        `the journey id {id} in the path must match ${JOURNEY_ID_PATTERN.source}, found ${show(id)}`,
      );
}

/** `?from=` and `?to=`: UTC days (yyyy-mm-dd), from at most to; either may be left out (open). */
export function dayRangeParams(query: URLSearchParams): Checked<DayRange> {
  const range: DayRange = {};
  for (const name of ['from', 'to'] as const) {
    const raw = query.get(name);
    if (raw === null) continue;
    if (!isDay(raw))
      return bad('bad-date', `${name} must be a UTC day written yyyy-mm-dd, such as 2026-11-20, found ${show(raw)}`);
    range[name] = raw;
  }
  if (range.from && range.to && range.from > range.to)
    return bad('bad-range', `from must not be after to, found from ${range.from} and to ${range.to}`);
  return { ok: true, value: range };
}

/** `?version=`: a version of the journey, from 1 to its live one; the live one when absent. */
export function versionParam(query: URLSearchParams, live: number): Checked<number> {
  const raw = query.get('version');
  if (raw === null) return { ok: true, value: live };
  const n = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  return n >= 1 && n <= live
    ? { ok: true, value: n }
    : bad('bad-version', `version must be a whole number from 1 to ${live} (the live version), found ${show(raw)}`);
}

/** `?event=`: a trigger event type, or undefined when absent. */
export function eventParam(query: URLSearchParams): Checked<string | undefined> {
  const raw = query.get('event');
  if (raw === null) return { ok: true, value: undefined };
  return EVENT_TYPE_PATTERN.test(raw)
    ? { ok: true, value: raw }
    : bad(
        'bad-event',
        `event must be a lower-case dot-separated event type such as checkout.abandoned, found ${show(raw)}`,
      );
}

/** Whether text is a calendar day yyyy-mm-dd that exists (no 2026-02-30). */
function isDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === text;
}
