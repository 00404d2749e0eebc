/**
 * Visits of every step (SPEC §7), exactly: handler steps count themselves, bare waits and branches
 * ride in $passed to the next handler call or are counted ahead by whoever hands over to them, and
 * a retried call or a failure after a call counts nothing twice.
 */
import { ingest } from '../../lib/core/ingest';
import { runStep } from '../../lib/core/step';
import type { StepInput } from '../../lib/core/task-input';
import type { TimelineEntry } from '../../lib/core/timeline';
import { VirtualClock } from '../../lib/engine/clock';
import { startLocalRuntime } from '../../lib/local/runtime';
import { journeyResults } from '../../lib/results/journey-results';
import { putProfile } from '../../lib/store/profiles';
import { customer, DAY, event, HOUR, journeyOf, run } from './run';

const T0 = Date.parse('2026-11-20T10:00:00Z');

const nudges = journeyOf({
  id: 'nudges',
  trigger: { event: 'cart.left' },
  goal: { event: 'order.placed' },
  settings: { timezone: 'UTC' },
  start: 'wait-1h',
  steps: {
    'wait-1h': { type: 'wait', for: 'PT1H', next: 'nudge' },
    nudge: { type: 'send', channel: 'email', template: 't', purpose: 'transactional', next: 'cool' },
    cool: { type: 'wait', for: 'P1D', next: 'check' },
    check: { type: 'branch', cases: [{ if: { path: 'trigger.data.value', gte: 100 }, next: 'big' }], default: 'small' },
    big: { type: 'send', channel: 'sms', template: 't', purpose: 'transactional', next: 'done' },
    small: { type: 'update', set: { nudged: true }, next: 'done' },
    done: { type: 'end' },
  },
});

it('counts every visit of every step, also of a wait an instance was stopped in', async () => {
  const events = [
    event('cart.left', 'c-big', T0, { value: 150 }),
    event('cart.left', 'c-small', T0, { value: 50 }),
    event('cart.left', 'c-early', T0, { value: 50 }),
    event('cart.left', 'c-cool', T0, { value: 50 }),
    // Stopped in the first wait (the entry counted it), and in the wait after the nudge (the nudge counted it).
    event('order.placed', 'c-early', T0 + 30 * 60_000),
    event('order.placed', 'c-cool', T0 + 12 * HOUR),
  ];
  const ids = ['c-big', 'c-small', 'c-early', 'c-cool'];
  const { lines, report } = await run(
    [nudges],
    events,
    ids.map((c) => customer(c)),
  );
  expect(lines.filter((l) => l.kind === 'exited').map((l) => [l.customerId, l.reason])).toEqual([
    ['c-early', 'goal'],
    ['c-cool', 'goal'],
    ['c-big', 'completed'],
    ['c-small', 'completed'],
  ]);
  const visits = Object.fromEntries(Object.entries(report.journeys.nudges.steps).map(([s, r]) => [s, r.visits]));
  expect(visits).toEqual({ 'wait-1h': 4, nudge: 3, cool: 3, check: 2, big: 1, small: 1, done: 2 });
});

/** A runtime where c-1 has just entered `nudges` (a cart of 50), with the lines it has printed. */
async function enteredNudges() {
  const rt = await startLocalRuntime({ journeys: [nudges], clock: new VirtualClock(T0) });
  await putProfile(rt.table, customer('c-1'), T0);
  const lines: TimelineEntry[] = [];
  rt.deps.onTimeline = (e) => lines.push(e);
  await ingest(rt.deps, event('cart.left', 'c-1', T0, { value: 50 }));
  const { instance } = lines.find((l) => l.kind === 'entered')!;
  return { rt, lines, instance };
}

it('counts a handler call once, retried or followed by the failure of its state', async () => {
  const { rt, instance } = await enteredNudges();
  try {
    const base = { journey: 'nudges', version: 1, customerId: 'c-1', instance, step: 'nudge' };
    const note = (key: string): StepInput => ({
      ...base,
      op: 'note',
      note: 'test',
      counted: { key, passed: '|check|', self: 'small' },
    });
    await runStep(rt.deps, note('small#2026-11-20T10:00:00.000Z'));
    await runStep(rt.deps, note('small#2026-11-20T10:00:00.000Z')); // a Retry of the same state visit
    await runStep(rt.deps, {
      ...base,
      op: 'finish',
      reason: 'failed',
      error: 'Boom',
      cause: null,
      // The failure state counts $passed under the failed state's key: counted already.
      counted: { key: 'small#2026-11-20T10:00:00.000Z', passed: '|check|', self: 'small' },
    });
    const r = await journeyResults(rt.deps, 'nudges', 1, {});
    expect(r.steps).toEqual({ check: { visits: 1 }, small: { visits: 1 }, 'wait-1h': { visits: 1 } });
    await runStep(rt.deps, note('small#2026-11-20T11:00:00.000Z')); // another visit
    expect((await journeyResults(rt.deps, 'nudges', 1, {})).steps.small.visits).toBe(2);
  } finally {
    await rt.close();
  }
});

it('keeps the counts of a day in that day', async () => {
  const events = [event('cart.left', 'c-1', T0, { value: 150 }), event('cart.left', 'c-2', T0 + DAY, { value: 150 })];
  let byDay: number[] = [];
  await run([nudges], events, [customer('c-1'), customer('c-2')], {
    look: async (rt) => {
      const day = async (d: string) => (await journeyResults(rt.deps, 'nudges', 1, { from: d, to: d })).steps;
      byDay = [
        (await day('2026-11-20'))['wait-1h']?.visits ?? 0,
        (await day('2026-11-21'))['wait-1h']?.visits ?? 0,
        (await day('2026-11-21')).check?.visits ?? 0,
        (await day('2026-11-22')).check?.visits ?? 0,
      ];
    },
  });
  // c-1 enters on the 20th and reaches the branch on the 21st; c-2 a day later each.
  expect(byDay).toEqual([1, 1, 1, 1]);
});

it('counts a finishing call and ends the instance in one write of its record, and a retry neither counts nor ends twice', async () => {
  const { rt, lines, instance } = await enteredNudges();
  try {
    const finishing: StepInput = {
      journey: 'nudges',
      version: 1,
      customerId: 'c-1',
      instance,
      step: 'done',
      op: 'finish',
      reason: 'completed',
      counted: { state: 'done', entered: '2026-11-20T10:00:00.000Z', passed: '|small|', self: 'done' },
    };
    const update = jest.spyOn(rt.deps.table, 'update');
    expect(await runStep(rt.deps, finishing)).toEqual({ ended: true });
    expect(update.mock.calls.filter(([, sk]) => sk.startsWith('I#'))).toHaveLength(1);
    expect(await runStep(rt.deps, finishing)).toEqual({ ended: false }); // a Retry of the same call
    update.mockRestore();
    const r = await journeyResults(rt.deps, 'nudges', 1, {});
    expect(r.steps).toEqual({ small: { visits: 1 }, done: { visits: 1 }, 'wait-1h': { visits: 1 } });
    expect(lines.filter((l) => l.kind === 'exited').map((l) => [l.reason, l.step])).toEqual([['completed', 'done']]);
  } finally {
    await rt.close();
  }
});
