/**
 * An audience schedule (SPEC §6) as EventBridge Scheduler takes it: an `at()` for a run once, a
 * `cron()` for a repeat, a schedule time zone, and start and end dates, such that Scheduler fires
 * at exactly the instants the local run starter does (lib/audience/schedule.ts: each run's
 * earliest instant). Pure, no CDK: test/infra/run-schedule.test.ts checks it run by run.
 *
 * A UTC schedule fires in zone UTC at the run's instant. A localTime schedule fires when the run's
 * wall time comes first anywhere, in the zone furthest ahead (UTC+14, no daylight saving), whose
 * clock then shows the run's wall time itself: the cron is written in wall-time fields, and the
 * run's ASL reads runAt back from Scheduler's scheduled time (compile-run.ts RUN_AT).
 */

import { SCHEDULER_ZONES } from '../audience/compile-run';
import { formatWall, runOf } from '../audience/schedule';
import { utcFields } from '../core/zoned-time';
import type { Journey } from '../journey/schema';
import { DURATION_PATTERN } from '../journey/schema';

/** What an AWS::Scheduler::Schedule needs of a journey's schedule. */
export interface RunSchedule {
  /** `at(2026-12-01T09:00:00)` or `cron(0 9 ? * TUE *)`. */
  expression: string;
  /** ScheduleExpressionTimezone: UTC, or UTC+14 for localTime. */
  timezone: string;
  /** The first run's instant (a cron fires from here on), while it is ahead (see START_MARGIN_MS). */
  startDate?: string;
  /** Just after the last run's instant, when the schedule has an end: Scheduler fires before EndDate only. */
  endDate?: string;
}

/** A schedule EventBridge Scheduler cannot fire on exactly the runs Baton computes. */
export class UnschedulableError extends Error {
  override readonly name = 'Baton.Unschedulable';
  constructor(journey: string, field: string, value: string, allowed: string) {
    super(
      `journey ${journey}: audience.schedule.${field} ${JSON.stringify(value)} cannot be scheduled on AWS: ${allowed}`,
    );
  }
}

/**
 * Scheduler refuses a StartDate more than minutes in the past, so one is given only while the first
 * run is this far ahead of the synth, leaving the deployment that long. Without one, a cron fires
 * from its creation on, and only at run instants: the instant a repeat (an hour at least) before
 * the first run is then already past.
 */
const START_MARGIN_MS = 30 * 60_000;

/** Runs beyond this many are not looked for an end: a schedule this long is refused. */
const MAX_RUNS = 100_000;
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const ALLOWED_REPEATS =
  'allowed are PT<n>H with n dividing 24, P1D, P7D (or P1W), P1M from a day up to the 28th, and P1Y from a day other than 29 February';

/**
 * The Scheduler form of an audience journey's schedule, as of `now` (the synth); undefined when
 * every run is already past (Scheduler would refuse its dates, and nothing is left to start).
 */
export function runSchedule(journey: Journey, now: number): RunSchedule | undefined {
  const schedule = journey.audience?.schedule;
  if (!schedule) throw new TypeError(`journey ${journey.id} has no audience schedule`);
  const zone = journey.settings?.timezone ?? 'UTC';
  const local = schedule.localTime === true;
  const timezone = local ? SCHEDULER_ZONES.local : SCHEDULER_ZONES.utc;
  const first = runOf(schedule, zone, 0);
  if (!first) throw new UnschedulableError(journey.id, 'end', schedule.end ?? '', 'the schedule has no run before it');
  // The fire time on the schedule zone's clock: the run's wall time (localTime) or its UTC fields.
  const offset = local ? 14 * 3_600_000 : 0;
  const wall = new Date(first.earliest + offset);
  const at = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  if (!schedule.repeat) {
    return first.earliest < now ? undefined : { expression: `at(${formatWall(utcFields(wall.getTime()))})`, timezone };
  }
  if (wall.getUTCSeconds() !== 0) {
    throw new UnschedulableError(journey.id, 'start', schedule.start, 'a repeating start must be on a whole minute');
  }
  const cron = cronOf(journey.id, schedule.repeat, wall);
  let endDate: string | undefined;
  if (schedule.end !== undefined) {
    let last = first;
    for (let i = 1; ; i++) {
      const run = runOf(schedule, zone, i);
      if (!run) break;
      if (i >= MAX_RUNS) {
        throw new UnschedulableError(
          journey.id,
          'end',
          schedule.end,
          `more than ${MAX_RUNS} runs: choose an earlier end`,
        );
      }
      last = run;
    }
    if (last.earliest < now) return undefined;
    endDate = at(last.earliest + 1000);
  }
  return {
    expression: cron,
    timezone,
    ...(first.earliest > now + START_MARGIN_MS ? { startDate: at(first.earliest) } : {}),
    ...(endDate ? { endDate } : {}),
  };
}

/**
 * The cron that fires on every repeat of `repeat` from `wall` (in the schedule's zone), when one
 * does; repeats are added to calendar fields, which cron matches for these durations only.
 */
function cronOf(journey: string, repeat: string, wall: Date): string {
  const m = DURATION_PATTERN.exec(repeat);
  if (!m) throw new UnschedulableError(journey, 'repeat', repeat, ALLOWED_REPEATS);
  const [, y, mo, w, d, , h, mi, s] = m;
  const only = (present: string | undefined) =>
    [y, mo, w, d, h, mi, s].filter((f) => f !== undefined).length === 1 && present !== undefined;
  const n = (f: string | undefined) => Number(f?.slice(0, -1));
  const minute = wall.getUTCMinutes();
  const hour = wall.getUTCHours();
  const day = wall.getUTCDate();
  const month = wall.getUTCMonth() + 1;
  if (only(h) && 24 % n(h) === 0) {
    const step = n(h);
    const hours = Array.from({ length: 24 / step }, (_, i) => (hour + i * step) % 24).sort((a, b) => a - b);
    return `cron(${minute} ${hours.join(',')} * * ? *)`;
  }
  if ((only(d) && n(d) === 1) || (only(d) && n(d) === 7) || (only(w) && n(w) === 1)) {
    return n(d) === 1 ? `cron(${minute} ${hour} * * ? *)` : `cron(${minute} ${hour} ? * ${DAYS[wall.getUTCDay()]} *)`;
  }
  if (only(mo) && n(mo) === 1 && day <= 28) return `cron(${minute} ${hour} ${day} * ? *)`;
  if (only(y) && n(y) === 1 && !(month === 2 && day === 29)) return `cron(${minute} ${hour} ${day} ${month} ? *)`;
  throw new UnschedulableError(journey, 'repeat', repeat, ALLOWED_REPEATS);
}
