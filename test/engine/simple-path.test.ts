/**
 * The engine reads a field that is only a path into a variable (`$states.input.x`) without
 * jsonata. Wherever it does, the result must be jsonata's own, for any data the path may meet.
 */
import fc from 'fast-check';
import { compiled } from '../../lib/core/jsonata';
import { type Scope, simplePath } from '../../lib/engine/jsonata-fields';

const name = fc.constantFrom('a', 'b', 'c', 'input', 'Task');
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ maxLength: 4 }),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(name, tie('value'), { maxKeys: 3 }),
  ),
})).value;

it('gives what jsonata gives, wherever it answers', async () => {
  let answered = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.dictionary(name, json, { maxKeys: 3 }),
      json,
      fc.constantFrom('a', 'b', 'states'),
      fc.array(name, { maxLength: 3 }),
      async (rawVars, rawStates, root, steps) => {
        // State data always arrives as JSON (execution input, handler results, normalized results).
        const [vars, states] = JSON.parse(JSON.stringify([rawVars, rawStates ?? null]));
        const expr = `$${[root, ...steps].join('.')}`;
        const scope: Scope = { vars, states: states as Record<string, unknown>, nowMs: 0 };
        const fast = simplePath(expr, scope);
        if (!fast.known) return;
        answered++;
        const slow = await compiled(expr).evaluate(undefined, { ...vars, states });
        expect(fast.value).toEqual(slow === undefined ? undefined : JSON.parse(JSON.stringify(slow)));
      },
    ),
    { numRuns: 3000 },
  );
  // The comparison must have happened often enough to mean something.
  expect(answered).toBeGreaterThan(500);
});

it('leaves to jsonata what is not a plain path', () => {
  const scope: Scope = { vars: { x: { y: [1, 2] } }, states: {}, nowMs: 0 };
  for (const expr of ['$x.y', '$x.y[0]', '$count($x.y)', '$x.y = 1', '$string', '$now']) {
    expect([expr, simplePath(expr, scope).known]).toEqual([expr, false]);
  }
});
