import fc from 'fast-check';

/**
 * JSON values a path of the engine's fast paths may meet, small and nested: null, booleans, a few
 * integers and the given numbers and strings, arrays and objects whose keys are `names`. The fast
 * paths' property tests hold them to jsonata's answers on these.
 */
export function jsonValues(names: string[], numbers: number[], strings: string[]): fc.Arbitrary<unknown> {
  const name = fc.constantFrom(...names);
  return fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      fc.integer({ min: -3, max: 3 }),
      fc.constantFrom(...numbers),
      fc.constantFrom(...strings),
      fc.array(tie('value'), { maxLength: 2 }),
      fc.dictionary(name, tie('value'), { maxKeys: 2 }),
    ),
  })).value;
}
