/**
 * A value the journey reads from the trigger may be missing at run time. Step Functions fails a
 * field whose JSONata returns nothing (States.QueryEvaluationError), so a waitFor `match`, a goal
 * `match` and a hand-off `reason` over a missing value must neither fail the instance nor match
 * every event: the wait times out, the goal never fires, the hand-off goes without a reason.
 */
import type { Envelope } from '../../lib/core/envelope';
import { simulate } from '../../lib/local/simulate';
import { helloJourney } from '../helpers';

const T0 = Date.parse('2026-11-20T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
let n = 0;
const event = (type: string, minutes: number, data: Record<string, unknown>): Envelope => ({
  id: `e-${++n}`,
  type,
  customerId: 'c-1',
  channel: 'web',
  time: at(minutes),
  data,
});

const journey = (escalates: boolean) =>
  helloJourney({
    trigger: { event: 'cart.left' },
    goal: { event: 'cart.paid', match: { cartId: 'trigger.data.cartId' } },
    ...(escalates ? { escalation: [{ id: 'never', when: { touchpoints: 999 }, goto: 'done' }] } : {}),
    start: 'await-order',
    steps: {
      'await-order': {
        type: 'waitFor',
        event: 'order.placed',
        match: { cartId: 'trigger.data.cartId' },
        timeout: 'PT1H',
        next: 'done',
        onTimeout: 'to-phone',
      },
      'to-phone': { type: 'handoff', to: 'phone', carry: [], reason: 'trigger.data.reason', next: 'done' },
      done: { type: 'end' },
    },
  });

describe.each([false, true])('values missing from the trigger (escalation rules: %s)', (escalates) => {
  it('a waitFor match over one times out, a goal over one never fires, a hand-off goes without the reason', async () => {
    const { lines } = await simulate({
      journeys: [journey(escalates)],
      profiles: [],
      events: [
        event('cart.left', 0, {}),
        // Neither carries the cartId the trigger lacked, and neither may resume or end the instance.
        event('order.placed', 10, {}),
        event('cart.paid', 20, { cartId: null }),
      ],
    });
    expect(lines.map((l) => [l.at, l.kind, l.step, l.reason])).toEqual([
      [at(0), 'entered', undefined, undefined],
      [at(60), 'handoff', 'to-phone', undefined],
      [at(60), 'exited', 'done', 'completed'],
    ]);
  });

  it('a present value still matches exactly', async () => {
    const { lines } = await simulate({
      journeys: [journey(escalates)],
      profiles: [],
      events: [
        event('cart.left', 0, { cartId: 'k-1', reason: 'late' }),
        event('order.placed', 10, { cartId: 'k-2' }),
        event('order.placed', 11, { cartId: 'k-1' }),
      ],
    });
    expect(lines.map((l) => [l.at, l.kind, l.reason])).toEqual([
      [at(0), 'entered', undefined],
      [at(11), 'exited', 'completed'],
    ]);
  });
});
