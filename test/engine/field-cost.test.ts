/**
 * What evaluating a state's fields costs per visit (issue 13, engine throughput): a Payload's
 * members that are literals or plain paths are answered at once, not each through a promise of
 * its own, and what jsonata must evaluate still gives jsonata's answer, errors named by field.
 */
import { evalField, type Scope } from '../../lib/engine/jsonata-fields';

const scope: Scope = {
  vars: { customerId: 'c-1', journey: 'cart', context: { cartId: 'k-1' } },
  states: { input: { trigger: { id: 'e-1', data: { value: 120 } } }, context: {} },
  nowMs: Date.parse('2026-11-20T18:05:00Z'),
};

/** Microtask turns until a promise settles (a promise per member costs a turn each). */
async function turnsUntil(p: Promise<unknown>): Promise<number> {
  let settled = false;
  void p.then(() => {
    settled = true;
  });
  let turns = 0;
  while (!settled && turns < 1000) {
    await Promise.resolve();
    turns++;
  }
  return turns;
}

it('answers a Payload of literals and plain paths without a promise per member', async () => {
  const payload: Record<string, unknown> = { kind: 'send', step: 'nudge' };
  for (let i = 0; i < 40; i++)
    payload[`m${i}`] = i % 2 ? '{% $customerId %}' : '{% $states.input.trigger.data.value %}';
  const value = { FunctionName: 'arn:fn', Payload: payload };

  const turns = await turnsUntil(evalField(value, scope, 'Arguments'));

  // Two nested objects: a handful of turns, whatever the number of members (40 before this change).
  expect(turns).toBeLessThan(8);
  const out = (await evalField(value, scope, 'Arguments')) as { Payload: Record<string, unknown> };
  expect(out.Payload.m0).toBe(120);
  expect(out.Payload.m1).toBe('c-1');
  expect(out.Payload.kind).toBe('send');
});

it('evaluates what needs jsonata in member order, with $now from the engine clock', async () => {
  const out = await evalField(
    { a: '{% $states.input.trigger.data.value * 2 %}', b: ['{% $now() %}', 'x', '{% $context.cartId %}'] },
    scope,
    'Output',
  );
  expect(out).toEqual({ a: 240, b: ['2026-11-20T18:05:00.000Z', 'x', 'k-1'] });
});

it('names the member whose plain path reads nothing, as AWS names the field', async () => {
  await expect(
    evalField({ Payload: { list: ['ok', '{% $states.input.missing %}'] } }, scope, 'Arguments'),
  ).rejects.toThrow(
    "The JSONata expression '$states.input.missing' specified for the field 'Arguments/Payload/list[1]' returned nothing (undefined).",
  );
  await expect(evalField({ x: '{% $nope + 1 %}' }, scope, 'Output')).rejects.toThrow(
    "specified for the field 'Output/x' returned nothing (undefined).",
  );
});
