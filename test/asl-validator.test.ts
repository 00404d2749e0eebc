/** The shared-schema asl-validator of the tests answers exactly as a fresh asl-validator does. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compileJourney, renderAsl, substitute } from '../lib/journey/compile';
import { localSubstitutions } from '../lib/local/runtime';
import { type AslValidation, aslValidator, stockAslValidator } from './asl-validator';
import { loadValid, ROOT } from './helpers';

/**
 * Three bundled journeys' ASL as deployed, and between them broken copies each of asl-validator's
 * checks refuses (each document costs the fresh validator half a second: a few of each kind).
 */
function documents(): string[] {
  const dir = join(ROOT, 'workflows');
  const asl = readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== 'journey.schema.json')
    .slice(0, 3)
    .map((f) => substitute(renderAsl(compileJourney(loadValid(join(dir, f)).journey)), localSubstitutions()));
  const first = JSON.parse(asl[0]) as { StartAt: string; States: Record<string, Record<string, unknown>> };
  const [name, state] = Object.entries(first.States).find(([, s]) => s.Type === 'Task') ?? [];
  const broken = (change: (d: typeof first) => void) => {
    const d = structuredClone(first);
    change(d);
    return JSON.stringify(d);
  };
  expect(name && state).toBeTruthy();
  return [
    asl[0],
    broken((d) => {
      d.StartAt = 'nowhere'; // a missing transition target
    }),
    broken((d) => {
      d.States[name!].Resource = 'not-an-arn'; // the ARN format
    }),
    broken((d) => {
      d.States[name!].ResultPath = '$$.bad..path'; // a path format
    }),
    broken((d) => {
      d.States[name!] = { Type: 'Pass', Output: '{% $x + %}', QueryLanguage: 'JSONata', End: true }; // JSONata
    }),
    broken((d) => {
      d.States[name!].Type = 'Sleep'; // the schema
    }),
    // Valid after invalid: the shared Ajv's errors of one document never stick to the next.
    ...asl.slice(1),
  ];
}

it('gives the answers of a fresh asl-validator, valid and invalid documents in turn', () => {
  const docs = documents();
  const answers = docs.map((text) => ({
    shared: aslValidator(JSON.parse(text)),
    stock: stockAslValidator(JSON.parse(text)),
  }));
  const seen = (v: AslValidation) => ({ isValid: v.isValid, errors: v.errors, text: v.errorsText?.() });
  for (const { shared, stock } of answers) expect(seen(shared)).toEqual(seen(stock));
  // Each broken copy is refused, so the comparison covered refusals, not only acceptances.
  expect(answers.map((a) => a.stock.isValid)).toEqual([true, false, false, false, false, false, true, true]);
});
