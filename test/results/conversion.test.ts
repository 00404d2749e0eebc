/**
 * Conversion (SPEC §7): an instance converts when its goal event (with match) arrives within
 * goal.within of its entry, whether it still runs or not, once; holdout instances are watched the
 * same way. Journeys run in virtual time; the counts are the results' counters.
 */
import { keys } from '../../lib/store/keys';
import { customer, DAY, event, HOUR, journeyOf, run } from './run';

const T0 = Date.parse('2026-11-20T10:00:00Z');

const trial = (goal: Record<string, unknown>) =>
  journeyOf({
    id: 'trial',
    trigger: { event: 'trial.started' },
    goal: { event: 'plan.upgraded', match: { plan: 'trigger.data.plan' }, ...goal },
    settings: { timezone: 'UTC' },
    start: 'wait',
    steps: {
      wait: { type: 'wait', for: 'P1D', next: 'tip' },
      tip: { type: 'send', channel: 'email', template: 't', purpose: 'transactional', next: 'done' },
      done: { type: 'end' },
    },
  });

describe('goal.within', () => {
  it('converts an instance whose goal arrives inside the window, running or ended, once; not after it, nor on other data', async () => {
    const ids = ['c-during', 'c-after', 'c-late', 'c-other', 'c-twice', 'c-never'];
    const upgrade = (c: string, at: number, plan = 'pro', id?: string) => event('plan.upgraded', c, at, { plan }, id);
    const events = [
      ...ids.map((c) => event('trial.started', c, T0, { plan: 'pro' })),
      upgrade('c-during', T0 + 12 * HOUR), // while it waits: it ends with reason goal
      upgrade('c-after', T0 + 2 * DAY), // it completed at T0 + 1 day
      upgrade('c-late', T0 + 3 * DAY + HOUR), // the window is P3D
      upgrade('c-other', T0 + 12 * HOUR, 'basic'), // not the plan it started for
      upgrade('c-twice', T0 + 2 * DAY, 'pro', 'u-twice'),
      upgrade('c-twice', T0 + 2 * DAY + HOUR, 'pro', 'u-twice'), // redelivered
      upgrade('c-twice', T0 + 2 * DAY + 2 * HOUR), // and upgraded again
    ];
    const watchers: Record<string, unknown>[] = [];
    const { lines, report } = await run(
      [trial({ within: 'P3D' })],
      events,
      ids.map((c) => customer(c)),
      {
        look: async (rt) => {
          watchers.push(...(await rt.table.queryAll(keys.customer('c-during'), { prefix: 'RW#' })));
        },
      },
    );
    const exits = lines.filter((l) => l.kind === 'exited').map((l) => [l.customerId, l.reason]);
    expect(exits).toEqual(
      expect.arrayContaining([
        ['c-during', 'goal'],
        ['c-after', 'completed'],
      ]),
    );
    const r = report.journeys.trial;
    expect(r.entered).toBe(6);
    expect(r.converted).toBe(3); // c-during, c-after, c-twice
    expect(r.exited).toEqual({ goal: 1, completed: 5 });
    // The watcher expires a day after the window closes (DynamoDB TTL; hidden from reads before it goes).
    expect(watchers).toHaveLength(1);
    expect(watchers[0]).toMatchObject({
      convertsUntil: new Date(T0 + 3 * DAY).toISOString(),
      expiresAt: (T0 + 4 * DAY) / 1000,
      convertedAt: new Date(T0 + 12 * HOUR).toISOString(),
    });
  });

  it('is P7D when the journey does not say', async () => {
    const events = [
      event('trial.started', 'c-6d', T0, { plan: 'pro' }),
      event('trial.started', 'c-8d', T0, { plan: 'pro' }),
      event('plan.upgraded', 'c-6d', T0 + 6 * DAY, { plan: 'pro' }),
      event('plan.upgraded', 'c-8d', T0 + 7 * DAY + HOUR, { plan: 'pro' }),
    ];
    const { report } = await run([trial({})], events, [customer('c-6d'), customer('c-8d')]);
    expect(report.journeys.trial).toMatchObject({ entered: 2, converted: 1 });
  });

  it('counts a conversion on the day the instance entered, so a range of days holds its own instances', async () => {
    const late = Date.parse('2026-11-20T23:00:00Z');
    const events = [
      event('trial.started', 'c-1', late, { plan: 'pro' }),
      event('plan.upgraded', 'c-1', late + 5 * HOUR, { plan: 'pro' }), // the next UTC day
    ];
    let days: Record<string, unknown> = {};
    await run([trial({})], events, [customer('c-1')], {
      look: async (rt) => {
        const { journeyResults } = await import('../../lib/results/journey-results');
        const day = (d: string) => journeyResults(rt.deps, 'trial', 1, { from: d, to: d });
        days = {
          '2026-11-20': (await day('2026-11-20')).converted,
          '2026-11-21': (await day('2026-11-21')).converted,
        };
      },
    });
    expect(days).toEqual({ '2026-11-20': 1, '2026-11-21': 0 });
  });
});

describe('holdouts', () => {
  it('are watched as the others are: a holdout instance ends at once, and its goal still counts for its path', async () => {
    const promo = journeyOf({
      id: 'promo',
      trigger: { event: 'visit.started' },
      goal: { event: 'purchase.made' },
      settings: { timezone: 'UTC' },
      start: 'split',
      steps: {
        split: {
          type: 'split',
          paths: [
            { weight: 1, next: 'offer' },
            { weight: 1, exit: 'holdout' },
          ],
        },
        offer: { type: 'send', channel: 'email', template: 't', purpose: 'transactional', next: 'done' },
        done: { type: 'end' },
      },
    });
    const ids = Array.from({ length: 40 }, (_, i) => `c-${i}`);
    const buyers = ids.filter((_, i) => i % 2 === 0);
    const events = [
      ...ids.map((c) => event('visit.started', c, T0)),
      ...buyers.map((c) => event('purchase.made', c, T0 + DAY)),
    ];
    const { lines, report } = await run(
      [promo],
      events,
      ids.map((c) => customer(c)),
    );
    const held = lines.filter((l) => l.kind === 'exited' && l.reason === 'holdout').map((l) => l.customerId);
    const offered = lines.filter((l) => l.kind === 'sent').map((l) => l.customerId);
    expect(held.length).toBeGreaterThan(5);
    expect(offered.length).toBeGreaterThan(5);
    expect(held.length + offered.length).toBe(40);
    const [onOffer, onHoldout] = report.journeys.promo.splits.split;
    expect(onHoldout).toMatchObject({
      path: 1,
      exit: 'holdout',
      entered: held.length,
      converted: held.filter((c) => buyers.includes(c)).length,
    });
    expect(onOffer).toMatchObject({
      path: 0,
      next: 'offer',
      entered: offered.length,
      converted: offered.filter((c) => buyers.includes(c)).length,
    });
    expect(report.journeys.promo.converted).toBe(buyers.length);
  });
});

describe('the window in engine time', () => {
  it('counts a goal by when it arrives, not by the time its sender stamped on it', async () => {
    const { startLocalRuntime } = await import('../../lib/local/runtime');
    const { VirtualClock } = await import('../../lib/engine/clock');
    const { ingest } = await import('../../lib/core/ingest');
    const { putProfile } = await import('../../lib/store/profiles');
    const { resultsReport } = await import('../../lib/results/report');
    const journey = trial({ within: 'P3D' });
    // baton dev with a backlog (or --speed): the trial.started stamped T0 is processed at T0 + 2 h,
    // and the upgrade, stamped T0 + 1 h, arrives after it.
    const clock = new VirtualClock(T0 + 2 * HOUR);
    const rt = await startLocalRuntime({ journeys: [journey], clock, concurrency: 1 });
    try {
      await putProfile(rt.table, customer('c-lag'), clock.now());
      await ingest(rt.deps, event('trial.started', 'c-lag', T0, { plan: 'pro' }));
      await rt.engine.idle();
      clock.advanceTo(T0 + 2 * HOUR + 60_000);
      await ingest(rt.deps, event('plan.upgraded', 'c-lag', T0 + HOUR, { plan: 'pro' }));
      await rt.engine.idle();
      const report = await resultsReport(rt.deps, [journey.journey]);
      expect(report.journeys.trial).toMatchObject({ entered: 1, converted: 1 });
    } finally {
      await rt.close();
    }
  });
});
