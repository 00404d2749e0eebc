/**
 * `validEnvelope` answers for the envelope schema on the events it accepts (every event of a
 * backtest goes through it twice): whatever it accepts, the schema accepts too, with the same
 * fields in the same order, and every envelope the schema accepts from JSON it accepts as well.
 * Anything it refuses goes to the schema, which names the field.
 */
import fc from 'fast-check';
import { envelopeSchema, MAX_FIELD_ERRORS, parseEnvelope, validEnvelope } from '../../lib/core/envelope';
import { CHANNEL_PATTERN, ID_PATTERN } from '../../lib/core/id-rule';
import { EVENT_TYPE_PATTERN } from '../../lib/journey/schema';

const validId = fc.stringMatching(ID_PATTERN);
const validType = fc.stringMatching(EVENT_TYPE_PATTERN);
const validChannel = fc.stringMatching(CHANNEL_PATTERN);
const validTime = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
  .chain((d) =>
    fc.constantFrom(
      d.toISOString(),
      d.toISOString().replace('.000Z', 'Z'),
      d.toISOString().replace('Z', '+02:00'),
      d.toISOString().replace(/\.\d+Z$/, '-05:30'),
    ),
  );
const json = fc.jsonValue({ maxDepth: 3 });
const validData = fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 5 });

/** A value for a field: mostly valid, sometimes anything at all. */
function field<T>(valid: fc.Arbitrary<T>, wrong: fc.Arbitrary<unknown>[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3 * wrong.length, arbitrary: valid },
    ...wrong.map((arbitrary) => ({ weight: 1, arbitrary })),
  );
}

const wrongString = [
  fc.string({ maxLength: 140 }),
  fc.integer(),
  fc.constant(null),
  fc.constant(''),
  fc.constant('x'.repeat(129)),
];
const wrongTime = [
  fc.string(),
  fc.constant('2026-02-30T10:00:00Z'),
  fc.constant('2026-02-29T10:00:00Z'),
  fc.constant('2024-02-29T10:00:00Z'),
  fc.constant('2026-11-20 18:05:00Z'),
  fc.constant('2026-11-20T18:05:00'),
  fc.constant('1999-12-31T23:59:59Z'),
  fc.constant('2026-11-20T24:00:00Z'),
];
const wrongData = [
  fc.constant(null),
  fc.array(json, { maxLength: 3 }),
  fc.string(),
  fc.constant(JSON.parse('{"__proto__": {"a": 1}}')),
  fc.constant(JSON.parse('{"constructor": 1}')),
];

/** An object with the envelope's fields, maybe one missing or an unknown one, in any order. */
const candidate = fc
  .record(
    {
      id: field(validId, wrongString),
      type: field(validType, [...wrongString, fc.constant('Checkout.Abandoned'), fc.constant(`a${'.b'.repeat(70)}`)]),
      customerId: field(validId, wrongString),
      channel: field(validChannel, [...wrongString, fc.constant('Web')]),
      time: field(validTime, wrongTime),
      sessionId: field(validId, [...wrongString, fc.constant(undefined)]),
      data: field(validData, [...wrongData, fc.constant(undefined)]),
      extra: json,
    },
    { requiredKeys: ['id', 'type', 'customerId', 'channel', 'time'] },
  )
  .chain((fields) => {
    const entries = Object.entries(fields);
    return fc.tuple(
      fc.shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length }),
      fc.option(fc.nat(entries.length - 1), { freq: 4 }),
    );
  })
  .map(([entries, drop]) => Object.fromEntries(entries.filter((_, i) => i !== drop)) as Record<string, unknown>);

/** A whole valid envelope as JSON gives it, its fields in any order. */
const valid = fc
  .record(
    {
      id: validId,
      type: validType.filter((t) => t.length <= 128),
      customerId: validId,
      channel: validChannel,
      time: validTime,
      sessionId: validId,
      data: validData,
    },
    { requiredKeys: ['id', 'type', 'customerId', 'channel', 'time'] },
  )
  .chain((fields) => {
    const entries = Object.entries(fields);
    return fc.shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length });
  })
  .map((entries) => JSON.parse(JSON.stringify(Object.fromEntries(entries))) as Record<string, unknown>);

describe('the envelope fast path', () => {
  it('accepts only what the schema accepts, and gives what the schema gives, field for field and in order', () => {
    let accepted = 0;
    fc.assert(
      fc.property(candidate, (input) => {
        const fast = validEnvelope(input);
        const schema = envelopeSchema.safeParse(input);
        if (fast === undefined) return;
        accepted++;
        expect(schema.success).toBe(true);
        expect(fast).toEqual(schema.data);
        expect(Object.keys(fast)).toEqual(Object.keys(schema.data as object));
        expect(JSON.stringify(fast)).toBe(JSON.stringify(schema.data));
      }),
      { numRuns: 5000 },
    );
    // The generator reaches both sides: many candidates are valid, many are not.
    expect(accepted).toBeGreaterThan(50);
    expect(accepted).toBeLessThan(5000);
  });

  it('accepts every envelope the schema accepts from JSON, whatever the order of its fields', () => {
    fc.assert(
      fc.property(valid, (input) => {
        const schema = envelopeSchema.safeParse(input);
        expect(schema.success).toBe(true);
        const fast = validEnvelope(input);
        expect(fast).toBeDefined();
        expect(JSON.stringify(fast)).toBe(JSON.stringify(schema.data));
      }),
      { numRuns: 500 },
    );
  });

  it('leaves the messages to the schema: a wrong field is still named', () => {
    const event = { id: 'e-1', type: 'page.viewed', customerId: 'c-1', channel: 'web', time: '2026-02-30T10:00:00Z' };
    expect(parseEnvelope(event, 'replay')).toEqual({
      ok: false,
      errors: [expect.objectContaining({ path: '/time', message: expect.stringContaining('RFC 3339') })],
    });
    expect(parseEnvelope({ ...event, time: '2026-11-20T10:00:00Z', extra: 1 }, 'replay')).toEqual({
      ok: false,
      errors: [expect.objectContaining({ path: '/extra', message: expect.stringContaining('unknown field') })],
    });
  });
});

describe('an envelope with very many problems', () => {
  it('names the first MAX_FIELD_ERRORS and counts the rest, for a hundred thousand unknown fields as for many bad ones', () => {
    const huge: Record<string, unknown> = {
      id: 'e-1',
      type: 'x.happened',
      customerId: 'c-1',
      channel: 'web',
      time: '2026-11-24T06:00:00Z',
    };
    for (let i = 0; i < 100_000; i++) huge[`k${i}`] = 1;
    const r = parseEnvelope(huge, Date.parse('2026-11-24T06:00:00Z'));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(MAX_FIELD_ERRORS + 1);
    expect(r.errors[0]).toEqual({
      path: '/k0',
      message: expect.stringMatching(/^unknown field "k0"; an event has id, type/),
    });
    expect(r.errors.at(-1)).toEqual({
      path: '',
      message: `… and ${(100_000 - MAX_FIELD_ERRORS).toLocaleString('en-US')} more problems`,
    });
    // A few unknown fields beside bad known ones: every problem named while they are few.
    const few = parseEnvelope(
      { id: 5, type: 'x.happened', customerId: 'c-1', channel: 'web', time: 'soon', a: 1, b: 2 },
      0,
    );
    expect(few.ok ? [] : few.errors.map((e) => e.path).sort()).toEqual(['/a', '/b', '/id', '/time']);
  });
});
