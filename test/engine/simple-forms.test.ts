/**
 * The engine answers the compiler's commonest forms (a value or null, the pure steps passed, a
 * key joined from paths) without jsonata. Wherever it does, the answer must be jsonata's own, for
 * any data the paths may meet; and the compiled journeys' fields no longer go to jsonata for them.
 */
import fc from 'fast-check';

import * as jsonata from '../../lib/core/jsonata';
import { evalField, type Scope } from '../../lib/engine/jsonata-fields';
import { simpleForm } from '../../lib/engine/simple-forms';
import { jsonValues } from './json-values';

const names = ['a', 'b', 'passed', 'Name'];
const name = fc.constantFrom(...names);
const json = jsonValues(names, [2.5, 1e21, 0.1], ['', 'week|', '|a|', '0', 'x#y', 'null']);
const path = fc
  .tuple(fc.constantFrom('a', 'b', 'passed', 'states', 'unbound'), fc.array(name, { maxLength: 2 }))
  .map(([root, steps]) => `$${[root, ...steps].join('.')}`);
const text = fc.constantFrom('"#"', '"@"', "'|'", '""', '"a b"');
const literal = fc.constantFrom('"callback requested"', "'low score'", '0', '-1', '2.5', 'true', 'false', 'null');
const expression = fc.oneof(
  fc.oneof(path, literal).map((v) => `($v := ${v}; $exists($v) ? $v : null)`),
  fc
    .tuple(fc.constantFrom('passed', 'a'), fc.constantFrom('|', ''), fc.constantFrom('week|', 'score|', ''))
    .map(([v, empty, suffix]) => `$${v} = null ? '${empty}' : $${v} & "${suffix}"`),
  fc.array(fc.oneof(path, text), { minLength: 2, maxLength: 4 }).map((ops) => ops.join(' & ')),
);

it('gives what jsonata gives, wherever it answers', async () => {
  let answered = 0;
  await fc.assert(
    fc.asyncProperty(fc.dictionary(name, json, { maxKeys: 3 }), json, expression, async (rawVars, rawStates, expr) => {
      // State data always arrives as JSON (execution input, handler results, normalized results).
      const [vars, states] = JSON.parse(JSON.stringify([rawVars, rawStates ?? null]));
      const scope: Scope = { vars, states: states as Record<string, unknown>, nowMs: 0 };
      const fast = simpleForm(expr, scope);
      if (!fast.known) return;
      answered++;
      const slow = await jsonata.compiled(expr).evaluate(undefined, { ...vars, states });
      const normalized = slow === undefined ? undefined : JSON.parse(JSON.stringify(slow));
      expect([expr, fast.value]).toEqual([expr, normalized]);
    }),
    { numRuns: 4000 },
  );
  expect(answered).toBeGreaterThan(1000);
});

it("answers the compiler's forms in a journey's fields without jsonata", async () => {
  const scope: Scope = {
    vars: { passed: '|wait-1h|', trigger: { data: { cartId: 'k-1' } }, context: {} },
    states: { context: { State: { Name: 'nudge', EnteredTime: '2026-11-20T19:05:00.000Z' } } },
    nowMs: 0,
  };
  const toJsonata = jest.spyOn(jsonata, 'compiled');
  toJsonata.mockClear();
  const field = {
    passed: `$passed = null ? '|' : $passed & "week|"`,
    cartId: '($v := $trigger.data.cartId; $exists($v) ? $v : null)',
    caseId: '($v := $context.caseId; $exists($v) ? $v : null)',
    reason: '($v := "callback requested"; $exists($v) ? $v : null)',
    key: '$states.context.State.Name & "#" & $states.context.State.EnteredTime',
  };
  const out = await evalField(
    Object.fromEntries(Object.entries(field).map(([k, v]) => [k, `{% ${v} %}`])),
    scope,
    'Assign',
  );
  expect(out).toEqual({
    passed: '|wait-1h|week|',
    cartId: 'k-1',
    caseId: null,
    reason: 'callback requested',
    key: 'nudge#2026-11-20T19:05:00.000Z',
  });
  // Before: each of these five went through jsonata (compiled, then evaluated, per field and visit).
  expect(toJsonata).not.toHaveBeenCalled();
  for (const expr of Object.values(field)) expect([expr, simpleForm(expr, scope).known]).toEqual([expr, true]);
  // Left to jsonata: what these forms do not cover.
  for (const expr of [
    '$a & 1', // a number operand: jsonata formats it
    '$now() & "x"',
    `$passed = null ? '|' : $other & "x|"`,
    '($v := $a.b[0]; $exists($v) ? $v : null)',
    '($v := "it\\"s"; $exists($v) ? $v : null)',
  ]) {
    expect([expr, simpleForm(expr, { vars: { a: { b: [1] }, passed: 'x' }, states: {}, nowMs: 0 }).known]).toEqual([
      expr,
      false,
    ]);
  }
});
