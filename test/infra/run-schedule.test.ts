/**
 * EventBridge Scheduler fires an audience journey's runs at exactly the instants the local run
 * starter does, and the run's ASL reads from Scheduler's scheduled time exactly the runAt the
 * local engine is given: checked run by run against lib/audience/schedule.ts, with the cron read
 * by a small matcher of its own (the fields Scheduler documents), in the schedule's fixed zone.
 */

import { join } from 'node:path';
import jsonata from 'jsonata';
import { runAtExpression } from '../../lib/audience/compile-run';
import { formatInstant, runOf } from '../../lib/audience/schedule';
import { type RunSchedule, runSchedule, UnschedulableError } from '../../lib/infra/run-schedule';
import type { Journey } from '../../lib/journey/schema';
import { loadValid, ROOT } from '../helpers';

const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const OFFSETS: Record<string, number> = { UTC: 0, 'Etc/GMT-14': 14 * 3_600_000 };

/** Whether `cron(min hours dom month dow year)` matches the instant `ms` in a fixed-offset zone. */
function cronMatches(expression: string, offsetMs: number, ms: number): boolean {
  const [min, hours, dom, month, dow] = /^cron\((.*)\)$/.exec(expression)![1].split(' ');
  const d = new Date(ms + offsetMs);
  const field = (f: string, v: number) => f === '*' || f === '?' || f.split(',').map(Number).includes(v);
  return (
    d.getUTCSeconds() === 0 &&
    field(min, d.getUTCMinutes()) &&
    field(hours, d.getUTCHours()) &&
    field(dom, d.getUTCDate()) &&
    field(month, d.getUTCMonth() + 1) &&
    (dow === '?' || dow === '*' || DAYS[d.getUTCDay()] === dow)
  );
}

/** A synth before every schedule here starts. */
const BEFORE = Date.parse('2025-01-01T00:00:00Z');

/** Every instant a schedule fires, minute by minute from its start date (or its creation, `from`) to its end date. */
function fires(s: RunSchedule, from: number): number[] {
  const out: number[] = [];
  const end = Date.parse(s.endDate!);
  for (let t = s.startDate ? Date.parse(s.startDate) : Math.ceil(from / 60_000) * 60_000; t < end; t += 60_000) {
    if (cronMatches(s.expression, OFFSETS[s.timezone], t)) out.push(t);
  }
  return out;
}

function journey(schedule: Record<string, unknown>, timezone = 'America/New_York'): Journey {
  return {
    id: 'j',
    name: 'J',
    version: 1,
    audience: { segment: { where: { path: 'profile.attributes.plan', eq: 'pro' } }, schedule },
    settings: { timezone },
    start: 'done',
    steps: { done: { type: 'end' } },
  } as unknown as Journey;
}

/** The runs lib/audience computes, in order. */
function runs(j: Journey) {
  const out = [];
  for (let i = 0; ; i++) {
    const run = runOf(j.audience!.schedule, j.settings?.timezone ?? 'UTC', i);
    if (!run) return out;
    out.push(run);
  }
}

async function runAtFrom(j: Journey, scheduledTime: string): Promise<string> {
  const expr = jsonata(runAtExpression(j.audience!.schedule.localTime === true));
  return (await expr.evaluate({}, { states: { input: { scheduledTime } } })) as string;
}

const REPEATING: [string, Journey][] = [
  ['weekly-newsletter (workflows/)', loadValid(join(ROOT, 'workflows', 'weekly-newsletter.json')).journey],
  [
    'localTime weekly across a DST change',
    journey({ start: '2026-10-26T09:30:00', localTime: true, repeat: 'P1W', end: '2026-11-20T00:00:00Z' }),
  ],
  [
    'localTime daily',
    journey({ start: '2026-03-01T08:00:00', localTime: true, repeat: 'P1D', end: '2026-04-01T00:00:00' }),
  ],
  ['UTC every 6 hours', journey({ start: '2026-12-01T03:15:00Z', repeat: 'PT6H', end: '2026-12-05T00:00:00Z' })],
  ['UTC monthly', journey({ start: '2026-01-28T10:00:00-05:00', repeat: 'P1M', end: '2026-12-31T00:00:00Z' })],
  ['UTC yearly', journey({ start: '2026-03-01T12:00:00Z', repeat: 'P1Y', end: '2029-06-01T00:00:00Z' })],
];

test.each(REPEATING)(
  '%s: Scheduler fires at each run, and only then, and runAt reads back as the run starter gives it',
  async (_name, j) => {
    const s = runSchedule(j, BEFORE)!;
    const expected = runs(j);

    expect(expected.length).toBeGreaterThan(1);
    expect(fires(s, BEFORE)).toEqual(expected.map((r) => r.earliest));
    for (const run of expected) expect(await runAtFrom(j, formatInstant(run.earliest))).toBe(run.runAt);
  },
);

test('the weekly newsletter fires Mondays at 09:00 in UTC+14, from its first run to its last', () => {
  const s = runSchedule(loadValid(join(ROOT, 'workflows', 'weekly-newsletter.json')).journey, BEFORE);
  expect(s).toEqual({
    expression: 'cron(0 9 ? * MON *)',
    timezone: 'Etc/GMT-14',
    // 2026-10-26T09:00 comes first in UTC+14, at 19:00 UTC the day before.
    startDate: '2026-10-25T19:00:00Z',
    // The last Monday before 2027-01-01T00:00 wall time: 2026-12-28.
    endDate: '2026-12-27T19:00:01Z',
  });
});

test.each([
  ['UTC', journey({ start: '2026-12-03T16:00:00Z' }), 'at(2026-12-03T16:00:00)', 'UTC', '2026-12-03T16:00:00Z'],
  [
    'localTime',
    journey({ start: '2026-12-01T09:00:00', localTime: true }),
    'at(2026-12-01T09:00:00)',
    'Etc/GMT-14',
    '2026-11-30T19:00:00Z',
  ],
])('a %s run once is one at() in its zone, and its runAt reads back', async (_n, j, expression, timezone, fired) => {
  expect(runSchedule(j, BEFORE)).toEqual({ expression, timezone });
  expect(await runAtFrom(j, fired)).toBe(runs(j)[0].runAt);
});

test.each([true, false])('a run given its runAt by name keeps it (localTime %s)', async (localTime) => {
  const expr = jsonata(runAtExpression(localTime));
  const input = { runAt: '2026-12-01T09:00:00', scheduledTime: '2026-12-24T00:00:00Z' };
  expect(await expr.evaluate({}, { states: { input } })).toBe('2026-12-01T09:00:00');
});

test('deployed after its first run, a schedule has no start date (Scheduler refuses past ones) and fires on the runs ahead only', () => {
  const j = loadValid(join(ROOT, 'workflows', 'weekly-newsletter.json')).journey;
  const now = Date.parse('2026-11-24T09:00:00Z');
  const s = runSchedule(j, now)!;
  expect(s.startDate).toBeUndefined();
  expect(s.endDate).toBe('2026-12-27T19:00:01Z');
  expect(fires(s, now)).toEqual(
    runs(j)
      .filter((r) => r.earliest >= now)
      .map((r) => r.earliest),
  );
});

test('a start less than half an hour ahead is left out as well: the deployment may end after it', () => {
  const j = journey({ start: '2026-12-01T09:00:00Z', repeat: 'P1D', end: '2026-12-10T00:00:00Z' });
  expect(runSchedule(j, Date.parse('2026-12-01T08:45:00Z'))?.startDate).toBeUndefined();
  expect(runSchedule(j, Date.parse('2026-12-01T08:00:00Z'))?.startDate).toBe('2026-12-01T09:00:00Z');
});

test.each([
  ['once', journey({ start: '2026-12-03T16:00:00Z' })],
  ['repeating until an end', journey({ start: '2026-10-01T09:00:00Z', repeat: 'P7D', end: '2026-11-01T00:00:00Z' })],
])('a schedule %s whose runs are all past has no schedule on AWS', (_n, j) => {
  expect(runSchedule(j, Date.parse('2026-12-24T00:00:00Z'))).toBeUndefined();
});

test.each(['P3D', 'PT5H', 'P2W'])(
  'a repeat of %s is refused with the field, the value and what is allowed',
  (repeat) => {
    const j = journey({ start: '2026-12-01T09:00:00Z', repeat, end: '2027-01-01T00:00:00Z' });
    expect(() => runSchedule(j, BEFORE)).toThrow(UnschedulableError);
    expect(() => runSchedule(j, BEFORE)).toThrow(
      `journey j: audience.schedule.repeat "${repeat}" cannot be scheduled on AWS: allowed are PT<n>H with n dividing 24`,
    );
  },
);

test('a monthly repeat from the 31st is refused: cron would skip the short months Baton runs on their last day', () => {
  const j = journey({ start: '2026-01-31T09:00:00Z', repeat: 'P1M', end: '2026-12-01T00:00:00Z' });
  expect(() => runSchedule(j, BEFORE)).toThrow('audience.schedule.repeat "P1M"');
});
