/**
 * Validation of how a journey starts (SPEC §6): exactly one of `trigger` and `audience`, and an
 * audience's schedule and segment file. Conditions and paths are checked by validate.ts with the
 * rest of the journey's expressions.
 */

import { parseWall, wallInZone, wallMillis } from '../audience/schedule';
import { isBesideJourney, type SegmentFileRead } from '../audience/segment-file';
import { durationSeconds } from './duration';
import { instantMillis, isCalendarDate } from './instant';
import { type Journey, show } from './schema';
import { valueAt } from './schema-problems';
import type { Problem } from './validate';

/** The shortest repeat: a run an hour, at most. */
const MIN_REPEAT_SECONDS = 3600;
/** Problem lines of a segment file shown; the rest are counted. */
const SHOWN_LINES = 5;

/** Exactly one of trigger and audience, read from the raw document (also when the schema failed). */
export function startProblems(doc: unknown): Problem[] {
  const trigger = valueAt(doc, ['trigger']) !== undefined;
  const audience = valueAt(doc, ['audience']) !== undefined;
  if (trigger && audience) {
    return [
      {
        pointer: '/audience',
        code: 'trigger-and-audience',
        message:
          'a journey starts from an event (trigger) or from an audience on a schedule (audience), never both; remove one',
      },
    ];
  }
  if (!trigger && !audience && doc !== null && typeof doc === 'object' && !Array.isArray(doc)) {
    return [
      {
        pointer: '',
        code: 'no-start',
        message:
          'a journey needs a trigger (an event starts it, {"event": "checkout.abandoned"}) or an audience (a schedule starts it for a segment)',
      },
    ];
  }
  return [];
}

/** The schedule, the rate and a segment file of a valid document's audience. */
export function audienceProblems(
  journey: Journey,
  segmentFile: ((file: string) => SegmentFileRead | undefined) | undefined,
): Problem[] {
  const audience = journey.audience;
  if (!audience) return [];
  const problems: Problem[] = [];
  const { schedule } = audience;
  const zone = journey.settings?.timezone;
  const local = schedule.localTime === true;
  const startWall = parseWall(schedule.start);
  const startMs = instantMillis(schedule.start);
  const startOk = local ? startWall !== undefined : startMs !== undefined && isCalendarDate(schedule.start);
  if (local && startWall === undefined) {
    problems.push({
      pointer: '/audience/schedule/start',
      code: 'bad-start',
      message: `localTime needs a start without offset, a wall time each customer's clock shows, such as "2026-12-01T09:00:00"; found ${show(schedule.start)}`,
    });
  } else if (!startOk) {
    problems.push({
      pointer: '/audience/schedule/start',
      code: 'bad-start',
      message: startWall
        ? `start ${show(schedule.start)} has no offset: give one such as "2026-12-03T16:00:00Z", or set "localTime": true to enter each customer at this time on their own clock`
        : `start must be an RFC 3339 time with an offset such as "2026-12-03T16:00:00Z", found ${show(schedule.start)}`,
    });
  }
  if (local && zone === undefined) {
    problems.push({
      pointer: '/settings',
      code: 'missing-timezone',
      message:
        'settings.timezone is required when the audience enters at local time: it is the zone used for customers whose profile has none',
    });
  }
  if (schedule.repeat !== undefined && (durationSeconds(schedule.repeat) ?? 0) < MIN_REPEAT_SECONDS) {
    problems.push({
      pointer: '/audience/schedule/repeat',
      code: 'bad-repeat',
      message: `repeat must be at least PT1H, found ${show(schedule.repeat)}`,
    });
  }
  if (schedule.end !== undefined) problems.push(...endProblems(schedule.end, schedule.start, local, startOk, zone));
  if ('file' in audience.segment) problems.push(...fileProblems(audience.segment.file, segmentFile));
  return problems;
}

function endProblems(
  end: string,
  start: string,
  local: boolean,
  startOk: boolean,
  zone: string | undefined,
): Problem[] {
  const pointer = '/audience/schedule/end';
  const endWall = local ? parseWall(end) : undefined;
  const endMs = endWall ? wallMillis(endWall) : instantMillis(end);
  if (endMs === undefined || !isCalendarDate(end)) {
    return [
      {
        pointer,
        code: 'bad-end',
        message: `end must be an RFC 3339 time with an offset such as "2026-12-31T00:00:00Z"${local ? ', or a wall time such as "2026-12-31T00:00:00"' : ''}, found ${show(end)}`,
      },
    ];
  }
  if (!startOk) return [];
  const startWall = parseWall(start);
  // Wall against wall; an instant against the start as the journey's zone reads it.
  const startMs = !startWall
    ? instantMillis(start)!
    : endWall
      ? wallMillis(startWall)
      : wallInZone(startWall, zone ?? 'UTC');
  if (endMs > startMs) return [];
  return [{ pointer, code: 'bad-end', message: `end ${show(end)} must be after start ${show(start)}` }];
}

function fileProblems(file: string, read: ((file: string) => SegmentFileRead | undefined) | undefined): Problem[] {
  const pointer = '/audience/segment/file';
  if (!isBesideJourney(file)) {
    return [
      {
        pointer,
        code: 'bad-segment-file',
        message: `a segment file is a path beside the journey file such as "audiences/lapsed.jsonl", found ${show(file)}`,
      },
    ];
  }
  if (!read) return [];
  const got = read(file);
  if (!got) {
    return [
      {
        pointer,
        code: 'missing-segment-file',
        message: `no segment file ${show(file)} beside the journey file: it holds one customer id, or one JSON object with customerId, a line`,
      },
    ];
  }
  const problems: Problem[] = got.problems.slice(0, SHOWN_LINES).map((p) => ({
    pointer,
    code: 'bad-segment-line',
    message: `${file} line ${p.line}: ${p.message}`,
  }));
  if (got.problems.length > SHOWN_LINES) {
    problems.push({
      pointer,
      code: 'bad-segment-line',
      message: `${file}: ${got.problems.length - SHOWN_LINES} more lines hold no customer id`,
    });
  }
  if (!got.ids.length && !got.problems.length) {
    problems.push({
      pointer,
      code: 'empty-segment-file',
      message: `${file} holds no customer ids: give one id, or one JSON object with customerId, a line`,
    });
  }
  return problems;
}
