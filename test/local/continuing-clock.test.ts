/**
 * `baton dev`'s clock across stops and restarts, on the real local store, with real time played by
 * a virtual clock: time while the process is stopped passes at real speed (never at --speed), a
 * kill -9 never makes it run backwards, and --reset-clock starts over at real time.
 */
import {
  ClockOutOfRangeError,
  ContinuingClock,
  clockKept,
  LATEST_ENGINE_TIME,
  MAX_SPEED,
} from '../../lib/local/continuing-clock';
import { type EmbeddedStore, openLocalStore } from '../../lib/store/local-store';

const T0 = Date.parse('2026-11-20T18:00:00Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let store: EmbeddedStore;
let real: number;
const realNow = () => real;

beforeEach(async () => {
  store = await openLocalStore();
  real = T0;
});
afterEach(() => store.close());

/** A `baton dev` run's clock on the shared store, started at the current real time. */
async function run(speed: number, opts: { reset?: boolean } = {}) {
  const clock = new ContinuingClock(speed, { realNow, leaseMs: SECOND });
  const start = await clock.continueFrom(store.table, opts);
  return { clock, start };
}

/** Let `ms` of real time pass while the clock runs, renewing its mark as `baton dev` does. */
async function runFor(clock: ContinuingClock, ms: number) {
  for (let left = ms; left > 0; left -= SECOND / 2) {
    real += Math.min(SECOND / 2, left);
    await clock.renew();
  }
}

describe('ContinuingClock', () => {
  it('starts a new data dir at real time and keeps its clock there', async () => {
    expect(await clockKept(store.table)).toBe(false);
    const { clock, start } = await run(3600);
    expect(start).toEqual({ engineTime: T0, aheadMs: 0, continued: false });
    expect(clock.now()).toBe(T0);
    expect(await clockKept(store.table)).toBe(true);
  });

  it('after a stop at x3600, a restart at x1 adds only the real time that passed while stopped', async () => {
    const fast = await run(3600);
    await runFor(fast.clock, 3 * MINUTE); // three real minutes at x3600: 180 engine hours
    const reached = fast.clock.now();
    expect(reached).toBe(T0 + 180 * HOUR);
    await fast.clock.stop();
    real += 5 * MINUTE; // stopped for five minutes
    const slow = await run(1);
    // Before: the stopped five minutes ran at x3600 too, putting the engine 12.5 more days ahead.
    expect(slow.clock.now()).toBe(reached + 5 * MINUTE);
    expect(slow.start).toEqual({ engineTime: reached + 5 * MINUTE, aheadMs: 180 * HOUR - 3 * MINUTE, continued: true });
    await runFor(slow.clock, 10 * SECOND);
    expect(slow.clock.now()).toBe(reached + 5 * MINUTE + 10 * SECOND);
  });

  it('after a kill -9 never runs backwards, and loses at most one lease of sped-up time', async () => {
    const fast = await run(3600);
    await runFor(fast.clock, 2 * MINUTE);
    // Between renewals the clock goes on to just short of its saved mark; then the process dies.
    real += 900;
    const lastSeen = fast.clock.now();
    real += 5 * SECOND;
    const restarted = await run(3600);
    const first = restarted.clock.now();
    expect(first).toBeGreaterThanOrEqual(lastSeen);
    // The mark is one lease (a real second, an engine hour at x3600) ahead of the last renewal.
    expect(first - lastSeen).toBeLessThanOrEqual(HOUR);
    expect(first).toBeLessThan(T0 + 2 * MINUTE * 3600 + HOUR + 5 * SECOND + 1);
  });

  it('never shows more than the mark saved in the store while a renewal is late', async () => {
    const { clock } = await run(3600);
    real += 10 * SECOND; // no renewal for ten real seconds
    expect(clock.now()).toBe(T0 + HOUR); // held at the mark: one lease at x3600
    await clock.renew();
    expect(clock.now()).toBe(T0 + 10 * HOUR);
  });

  it('never runs backwards when the host clock is set back', async () => {
    const { clock } = await run(1);
    real += 500;
    const seen = clock.now();
    real -= 10 * MINUTE;
    expect(clock.now()).toBe(seen);
  });

  it('continues from real time when the last run fell behind it (--speed below 1)', async () => {
    const slow = await run(0.5);
    await runFor(slow.clock, MINUTE);
    await slow.clock.stop();
    real += DAY;
    expect((await run(1)).clock.now()).toBe(real);
  });

  it('starts over at real time with reset, whatever the last run reached', async () => {
    const fast = await run(3600);
    await runFor(fast.clock, MINUTE);
    await fast.clock.stop();
    real += MINUTE;
    const reset = await run(1, { reset: true });
    expect(reset.start).toEqual({ engineTime: real, aheadMs: 0, continued: false });
    expect(reset.clock.now()).toBe(real);
  });

  it('continues a data dir saved before marks were kept from its last origin, at real speed', async () => {
    await store.table.put({ pk: 'CLOCK', sk: '_', origin: { real: T0, virtual: T0 + DAY }, speed: 3600 });
    real += HOUR;
    expect((await run(1)).clock.now()).toBe(T0 + DAY + HOUR);
  });

  it('stops at the last instant RFC 3339 can write, at the largest speed, and saves no later time', async () => {
    const { clock } = await run(MAX_SPEED);
    // Eight thousand years at a year per 32 s: about three days of real time, renewed hourly here.
    for (let h = 0; h < 4 * 24; h++) {
      real += HOUR;
      await clock.renew();
    }
    expect(clock.now()).toBe(LATEST_ENGINE_TIME);
    expect(new Date(clock.now()).toISOString()).toBe('9999-12-31T23:59:59.999Z');
    await clock.stop();
    const again = await run(1);
    expect(again.clock.now()).toBe(LATEST_ENGINE_TIME);
  });

  it('refuses a data dir whose saved clock is past that (a larger speed used to be taken), and --reset-clock starts over', async () => {
    await store.table.put({ pk: 'CLOCK', sk: '_', mark: { real: T0, virtual: 8.64e15 + 1 } });
    const item = await store.table.get('CLOCK', '_');
    expect(item).toBeDefined();
    await expect(run(1)).rejects.toThrow(ClockOutOfRangeError);
    await expect(run(1)).rejects.toThrow(/--reset-clock/);
    const reset = await run(1, { reset: true });
    expect(reset.clock.now()).toBe(T0);
  });
});
