/**
 * A task retried later (Step Functions' Retry after a Lambda died or its answer was lost, or a
 * restart) writes the lines and records of its state visit once: they are dated by when the visit
 * began (its `visit`, the state's EnteredTime, the same on every Retry), not by the clock of the
 * attempt, which a key starting with the time would not meet again. (Counters a crash cut between
 * a line and its add are a documented gap: lib/results/lines.ts.)
 */
import { runDispatch } from '../../lib/core/dispatch';
import { escalationCheck } from '../../lib/core/escalation';
import { recordTouchpoint } from '../../lib/core/sessions';
import { runStep } from '../../lib/core/step';
import type { ActionInput, EscalationInput, HandoffInput, NoteInput } from '../../lib/core/task-input';
import type { TimelineEntry } from '../../lib/core/timeline';
import { VirtualClock } from '../../lib/engine/clock';
import { startLocalRuntime } from '../../lib/local/runtime';
import { keys } from '../../lib/store/keys';
import { helloJourney } from '../helpers';
import { dyingProcess, SimulatedCrash } from './dying-process';

const T0 = Date.parse('2026-11-20T18:00:00Z');
const ENTERED = '2026-11-20T17:59:58.000Z';
const journey = helloJourney({
  id: 'hop',
  start: 'offer',
  steps: {
    offer: { type: 'handoff', to: 'phone', carry: [], next: 'call' },
    call: { type: 'action', target: 'call-center.callback', next: 'done' },
    done: { type: 'end' },
  },
});
const base = { journey: 'hop', version: 1, instance: 'i-1', customerId: 'c-1', visit: ENTERED };
const handoff: HandoffInput = { ...base, op: 'handoff', step: 'offer', to: 'phone', carry: { cartId: 'k-1' } };
const action: ActionInput = {
  ...base,
  op: 'action',
  step: 'call',
  target: 'call-center.callback',
  payload: {},
  trigger: {},
  context: {},
  events: {},
};

/** The customer's lines and hand-off items after the task died after `crashAt` side effects and was retried 2 s later. */
async function crashThenRetry(input: HandoffInput | ActionInput, crashAt: number | undefined) {
  const clock = new VirtualClock(T0);
  const rt = await startLocalRuntime({ journeys: [journey], clock, concurrency: 1 });
  try {
    const dying = dyingProcess(rt.deps, crashAt);
    const first = await dying.run((d) => runDispatch(d, input)).catch((e: unknown) => e);
    if (first instanceof Error && !(first instanceof SimulatedCrash)) throw first;
    if (first instanceof SimulatedCrash) {
      clock.advanceTo(T0 + 2000);
      await runDispatch(rt.deps, input);
    }
    const items = await rt.table.queryAll(keys.customer('c-1'));
    const lines = items.filter((i) => i.sk.startsWith(keys.timelinePrefix)).map((i) => i.entry as TimelineEntry);
    const handoffs = items.filter((i) => i.sk.startsWith(keys.handoffPrefix)).map((i) => i.at);
    return { effects: dying.proc.effects, lines: lines.map((l) => `${l.kind}@${l.at}`), handoffs };
  } finally {
    await rt.close();
  }
}

describe('a dispatch task retried after a crash at every point', () => {
  it.each([
    ['handoff', handoff, [`handoff@${ENTERED}`], [ENTERED]],
    ['action', action, [`action@${ENTERED}`], []],
  ] as const)(
    '%s: one line and at most one hand-off item, dated when the step began',
    async (_name, input, lines, handoffs) => {
      const clean = await crashThenRetry(input, undefined);
      expect(clean).toMatchObject({ lines, handoffs });
      for (let k = 0; k <= clean.effects.length; k++) {
        const run = await crashThenRetry(input, k);
        expect({ k, lines: run.lines, handoffs: run.handoffs }).toEqual({ k, lines, handoffs });
      }
    },
  );
});

it('an escalation check that fired, run again for the same visit later, writes one escalated line', async () => {
  const clock = new VirtualClock(T0);
  const rt = await startLocalRuntime({ journeys: [helloJourney({ id: 'esc' })], clock, concurrency: 1 });
  try {
    await rt.table.put({
      pk: keys.customer('c-1'),
      sk: keys.instance('esc', 'i-1'),
      status: 'active',
      journey: 'esc',
      instance: 'i-1',
    });
    const touch = { id: 'e1', type: 'page.viewed', customerId: 'c-1', channel: 'web', sessionId: 's' };
    await recordTouchpoint(rt.table, { ...touch, time: new Date(T0).toISOString() }, { now: T0, timeouts: [1800] });
    const input: EscalationInput = {
      op: 'escalation',
      journey: 'esc',
      version: 1,
      step: 'hello',
      instance: 'i-1',
      customerId: 'c-1',
      visit: `pause@${ENTERED}`,
      rules: [{ id: 'r', goto: 'done', touchpoints: 1 }],
      pauseEnd: null,
    };
    expect(await escalationCheck(rt.deps, input)).toEqual({ escalate: 0, pauseEnd: null });
    clock.advanceTo(T0 + 1500); // the Lambda died before answering: the task runs again
    expect(await escalationCheck(rt.deps, input)).toEqual({ escalate: 0, pauseEnd: null });
    const lines = (await rt.table.queryAll(keys.customer('c-1'), { prefix: keys.timelinePrefix })).map(
      (i) => i.entry as TimelineEntry,
    );
    expect(lines.filter((l) => l.kind === 'escalated').map((l) => l.at)).toEqual([ENTERED]);
  } finally {
    await rt.close();
  }
});

it('a note task run again for the same state visit later writes its note once', async () => {
  const clock = new VirtualClock(T0);
  const rt = await startLocalRuntime({ journeys: [helloJourney({ id: 'noted' })], clock, concurrency: 1 });
  try {
    const input: NoteInput = {
      op: 'note',
      journey: 'noted',
      version: 1,
      step: 'hello',
      instance: 'i-1',
      customerId: 'c-1',
      note: 'until-passed',
      counted: { state: 'hello.note', entered: ENTERED, passed: null },
    };
    await runStep(rt.deps, input);
    clock.advanceTo(T0 + 1500); // the Lambda died before answering: the task runs again
    await runStep(rt.deps, input);
    const lines = (await rt.table.queryAll(keys.customer('c-1'), { prefix: keys.timelinePrefix })).map(
      (i) => i.entry as TimelineEntry,
    );
    expect(lines.filter((l) => l.kind === 'note').map((l) => `${l.reason}@${l.at}`)).toEqual([
      `until-passed@${ENTERED}`,
    ]);
  } finally {
    await rt.close();
  }
});
