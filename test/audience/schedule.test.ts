/**
 * The runs of a schedule (SPEC §6) and each member's instant: once, repeat until end, localTime
 * wall times read on each customer's own clock, correct across daylight-saving changes.
 */
import fc from 'fast-check';
import { addRepeats, findRun, memberInstant, parseWall, type Run, runOf } from '../../lib/audience/schedule';
import type { Schedule } from '../../lib/journey/schema';
import '../fast-check-seed';

function runs(schedule: Schedule, zone = 'UTC'): Run[] {
  const out: Run[] = [];
  for (let i = 0; ; i++) {
    const run = runOf(schedule, zone, i);
    if (!run) return out;
    out.push(run);
  }
}

const at = (iso: string) => Date.parse(iso);

describe('schedule runs', () => {
  it('runs once without a repeat, at its instant', () => {
    expect(runs({ start: '2026-12-03T11:00:00-05:00' })).toEqual([
      {
        index: 0,
        runAt: '2026-12-03T16:00:00Z',
        earliest: at('2026-12-03T16:00:00Z'),
        latest: at('2026-12-03T16:00:00Z'),
      },
    ]);
  });

  it('repeats until, and not at, the end', () => {
    const times = runs({ start: '2026-12-01T16:00:00Z', repeat: 'P7D', end: '2026-12-29T16:00:00Z' }).map(
      (r) => r.runAt,
    );
    expect(times).toEqual([
      '2026-12-01T16:00:00Z',
      '2026-12-08T16:00:00Z',
      '2026-12-15T16:00:00Z',
      '2026-12-22T16:00:00Z',
    ]);
  });

  it('gives localTime runs as wall times, each spanning every zone of the world', () => {
    const [first, second] = runs({
      start: '2026-10-26T09:00:00',
      localTime: true,
      repeat: 'P7D',
      end: '2026-11-05T00:00:00',
    });
    expect(first).toEqual({
      index: 0,
      runAt: '2026-10-26T09:00:00',
      // Kiritimati (UTC+14) sees 09:00 first, Baker Island (UTC-12) last.
      earliest: at('2026-10-25T19:00:00Z'),
      latest: at('2026-10-26T21:00:00Z'),
    });
    expect(second.runAt).toBe('2026-11-02T09:00:00');
    expect(
      runOf({ start: '2026-10-26T09:00:00', localTime: true, repeat: 'P7D', end: '2026-11-05T00:00:00' }, 'UTC', 2),
    ).toBeUndefined();
  });

  it("keeps a weekly run at 09:00 on a customer's clock across the end of daylight saving", () => {
    // New York leaves daylight saving on 2026-11-01: 09:00 is 13:00Z before and 14:00Z after.
    expect(memberInstant('2026-10-26T09:00:00', 'America/New_York')).toBe(at('2026-10-26T13:00:00Z'));
    expect(memberInstant('2026-11-02T09:00:00', 'America/New_York')).toBe(at('2026-11-02T14:00:00Z'));
    // London left it a week earlier; Tokyo has none.
    expect(memberInstant('2026-10-19T09:00:00', 'Europe/London')).toBe(at('2026-10-19T08:00:00Z'));
    expect(memberInstant('2026-10-26T09:00:00', 'Europe/London')).toBe(at('2026-10-26T09:00:00Z'));
    expect(memberInstant('2026-11-02T09:00:00', 'Asia/Tokyo')).toBe(at('2026-11-02T00:00:00Z'));
  });

  it('enters a wall time that a spring-forward skips as late as the jump moved the clock', () => {
    // 2027-03-14 02:30 does not exist in New York: clocks jump from 02:00 EST to 03:00 EDT, so 03:30 EDT.
    expect(memberInstant('2027-03-14T02:30:00', 'America/New_York')).toBe(at('2027-03-14T07:30:00Z'));
  });

  it('reads an end with an offset against the wall time in the journey zone', () => {
    const schedule = { start: '2026-12-01T09:00:00', localTime: true, repeat: 'P1D', end: '2026-12-03T14:30:00Z' };
    // 09:00 New York on 12-03 is 14:00Z, before the end; on 12-04 it is after.
    expect(runs(schedule, 'America/New_York').map((r) => r.runAt)).toEqual([
      '2026-12-01T09:00:00',
      '2026-12-02T09:00:00',
      '2026-12-03T09:00:00',
    ]);
  });

  it('adds calendar months, keeping the day of the month or the last day a month has', () => {
    const jan31 = parseWall('2027-01-31T10:00:00')!;
    expect(addRepeats(jan31, 'P1M', 1)).toEqual({ ...jan31, month: 2, day: 28 });
    expect(addRepeats(jan31, 'P1M', 2)).toEqual({ ...jan31, month: 3, day: 31 });
    expect(addRepeats(jan31, 'P1Y1M', 1)).toEqual({ ...jan31, year: 2028, month: 2, day: 29 });
    expect(addRepeats(jan31, 'PT90M', 3)).toEqual({ ...jan31, hour: 14, minute: 30 });
  });

  it('finds the first run a test accepts, and none past the end', () => {
    const schedule = { start: '2026-12-01T16:00:00Z', repeat: 'PT6H', end: '2026-12-03T00:00:00Z' };
    expect(findRun(schedule, 'UTC', (r) => r.earliest >= at('2026-12-02T00:00:01Z'))?.runAt).toBe(
      '2026-12-02T04:00:00Z',
    );
    expect(findRun(schedule, 'UTC', (r) => r.earliest >= at('2026-12-03T00:00:00Z'))).toBeUndefined();
  });

  it('runs a repeat in strictly increasing times, each before the end (property)', () => {
    const repeats = ['PT1H', 'PT7H30M', 'P1D', 'P7D', 'P1M', 'P1M15D', 'P1Y'];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2030, 0, 1) }),
        fc.constantFrom(...repeats),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        (startMs, repeat, count, localTime) => {
          const start = new Date(Math.floor(startMs / 1000) * 1000).toISOString().slice(0, 19);
          const endMs = startMs + count * 3_600_000 * 24;
          const schedule: Schedule = localTime
            ? { start, localTime, repeat, end: new Date(endMs).toISOString().slice(0, 19) }
            : { start: `${start}Z`, repeat, end: new Date(endMs).toISOString() };
          const all = runs(schedule, 'America/New_York');
          expect(all.length).toBeGreaterThan(0);
          for (let i = 1; i < all.length; i++) expect(all[i].earliest).toBeGreaterThan(all[i - 1].earliest);
        },
      ),
    );
  });
});
