/**
 * The engine answers a condition that compares a path with a literal (`$states.input.outcome =
 * 'deferred'`) without jsonata. Wherever it does, the answer must be jsonata's own, for any data
 * the path may meet and any literal such a condition may hold.
 */
import fc from 'fast-check';
import { compiled } from '../../lib/core/jsonata';
import { type Scope, simpleEquality } from '../../lib/engine/jsonata-fields';
import { jsonValues } from './json-values';

const names = ['a', 'b', 'input', 'outcome'];
const name = fc.constantFrom(...names);
const json = jsonValues(names, [2.5, -1, 0], ['', 'deferred', 'sent', '0', 'true', 'null']);
const literal = fc.constantFrom(
  '0',
  '1',
  '-1',
  '2.5',
  "'deferred'",
  '"deferred"',
  "''",
  "'0'",
  'true',
  'false',
  'null',
);

it('gives what jsonata gives, wherever it answers', async () => {
  let answered = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.dictionary(name, json, { maxKeys: 3 }),
      json,
      fc.constantFrom('a', 'b', 'states'),
      fc.array(name, { maxLength: 2 }),
      fc.constantFrom('=', '!=', ' = ', ' != '),
      literal,
      async (rawVars, rawStates, root, steps, op, lit) => {
        const [vars, states] = JSON.parse(JSON.stringify([rawVars, rawStates ?? null]));
        const expr = `$${[root, ...steps].join('.')}${op}${lit}`;
        const scope: Scope = { vars, states: states as Record<string, unknown>, nowMs: 0 };
        const fast = simpleEquality(expr, scope);
        if (!fast.known) return;
        answered++;
        const slow = await compiled(expr).evaluate(undefined, { ...vars, states });
        expect([expr, fast.value]).toEqual([expr, slow]);
      },
    ),
    { numRuns: 4000 },
  );
  expect(answered).toBeGreaterThan(1000);
});

it('answers the conditions the compiler writes, and leaves the rest to jsonata', () => {
  const scope: Scope = { vars: { x: { y: [1, 2], o: { a: 1 } } }, states: { input: { outcome: 'sent' } }, nowMs: 0 };
  expect(simpleEquality("$states.input.outcome = 'deferred'", scope)).toEqual({ known: true, value: false });
  expect(simpleEquality("$states.input.outcome = 'sent'", scope)).toEqual({ known: true, value: true });
  expect(simpleEquality('$states.input.path = 0', scope)).toEqual({ known: true, value: false });
  for (const expr of [
    '$x.y = 1', // an array: jsonata maps over it
    '$x.o = 1', // an object: jsonata compares deeply
    '$states.input.outcome <= 0',
    "$states.input.outcome = 'a' and $x = 1",
    "$states.input.outcome = 'it\\'s'",
    '$now = 1',
  ]) {
    expect([expr, simpleEquality(expr, scope).known]).toEqual([expr, false]);
  }
});
