/**
 * A task's payload crosses to its handler as a copy, as it would cross the wire to Lambda: the
 * handler may change it without changing the execution. The copy is parsed from the text the
 * engine measured for the 256 KiB limit, so the payload is serialized once per task, not twice
 * (issue 13: every task visit of every journey pays for it).
 */
import type { TaskHandler } from '../../lib/engine/engine';
import { engineHarness, FN, machine } from './harness';

const harness = engineHarness();

const def = machine({
  call: {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Arguments: { FunctionName: FN, Payload: { tag: 'payload-marker-7', cart: '{% $states.input.cart %}' } },
    Output: '{% $states.input %}',
    Assign: { seen: '{% $states.result.Payload.ok %}' },
    Next: 'done',
  },
  done: { Type: 'Succeed', Output: { cart: '{% $states.input.cart %}', seen: '{% $seen %}' } },
});

afterEach(() => jest.restoreAllMocks());

it('hands the handler a copy it may change, serialized once', async () => {
  const stringify = jest.spyOn(JSON, 'stringify');
  let received: unknown;
  const handler: TaskHandler = async (payload) => {
    const p = payload as { cart: { items: string[]; total?: number } };
    received = structuredClone(p);
    // A handler that changes what it was given changes nothing of the execution's data.
    p.cart.items.push('changed');
    p.cart.total = -1;
    return { ok: true };
  };
  const cart = { items: ['a', 'b'] };

  const r = await harness.run(def, { handlers: { [FN]: handler }, input: { cart } });

  const ex = await r.describe();
  expect(ex.status).toBe('SUCCEEDED');
  expect(received).toEqual({ tag: 'payload-marker-7', cart: { items: ['a', 'b'] } });
  expect(JSON.parse(ex.output!)).toEqual({ cart: { items: ['a', 'b'] }, seen: true });
  // The Arguments were serialized once, to measure them; the handler's copy was parsed from that text.
  const payloadTexts = stringify.mock.results.filter(
    (x) => typeof x.value === 'string' && x.value.includes('payload-marker-7') && !x.value.includes('{%'),
  );
  expect(payloadTexts).toHaveLength(1);
});
