/**
 * Durations are whole seconds (SPEC §3): Step Functions refuses a fractional Seconds or
 * TimeoutSeconds, and a TimeoutSeconds of 0. Every duration the validator accepts compiles to ASL
 * that asl-validator accepts, with whole, positive timeouts; the rest is refused naming the field
 * and the value.
 */
import fc from 'fast-check';
import { compileJourney, renderAsl, substitute } from '../../lib/journey/compile';
import { validateJourney } from '../../lib/journey/validate';
import { localSubstitutions } from '../../lib/local/runtime';
import { aslValidator } from '../asl-validator';
import { simpleJourney } from '../helpers';

const everyTemplate = { templateExists: () => true };

/** One duration in every place that becomes a number of seconds in the ASL. */
function journeyWith(d: string, escalates: boolean) {
  return simpleJourney({
    start: 'w',
    settings: { maxDuration: d },
    ...(escalates ? { escalation: [{ id: 'long', when: { sessionElapsed: d }, goto: 'done' }] } : {}),
    steps: {
      w: { type: 'wait', for: d, next: 'a' },
      a: { type: 'waitFor', event: 'y.done', timeout: d, next: 'done', onTimeout: 'done' },
      done: { type: 'end' },
    },
  });
}

/** Every Seconds and TimeoutSeconds that is a number (JSONata ones are computed at run time, in whole seconds). */
function secondsFields(value: unknown, out: unknown[] = []): unknown[] {
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if ((k === 'Seconds' || k === 'TimeoutSeconds') && typeof v === 'number') out.push(v);
      else secondsFields(v, out);
    }
  }
  return out;
}

const part = (unit: string) =>
  fc.option(
    fc
      .tuple(
        fc.integer({ min: 0, max: 40 }),
        fc.oneof({ weight: 4, arbitrary: fc.constant('') }, fc.constantFrom('.5', '.25', ',5')),
      )
      .map(([n, f]) => `${n}${f}${unit}`),
    { nil: '' },
  );
const durationLike = fc
  .tuple(part('D'), part('H'), part('M'), part('S'))
  .map(([d, h, m, s]) => `P${d}${h || m || s ? `T${h}${m}${s}` : ''}`);

describe('durations', () => {
  /** The ASL of the journey with this duration, or the problems naming it. */
  function compiled(d: string, escalates: boolean) {
    const r = validateJourney(journeyWith(d, escalates), everyTemplate);
    if (!r.ok) {
      for (const p of r.problems) expect(p.message).toContain(JSON.stringify(d));
      return undefined;
    }
    return JSON.parse(substitute(renderAsl(compileJourney(r.journey)), localSubstitutions()));
  }

  it('compile to whole, positive seconds, or are refused naming the value', () => {
    fc.assert(
      fc.property(durationLike, fc.boolean(), (d, escalates) => {
        const asl = compiled(d, escalates);
        if (!asl) return;
        for (const s of secondsFields(asl)) expect(Number.isInteger(s) && (s as number) >= 0).toBe(true);
        expect(asl.TimeoutSeconds).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('compile to ASL that asl-validator accepts', () => {
    // asl-validator takes a few hundred milliseconds a document: a few runs.
    fc.assert(
      fc.property(durationLike, fc.boolean(), (d, escalates) => {
        const asl = compiled(d, escalates);
        if (asl) expect(aslValidator(asl).errors).toEqual([]);
      }),
      { numRuns: 12 },
    );
  });

  it('refuses a fraction of a second, saying that Step Functions waits whole seconds', () => {
    const r = validateJourney(journeyWith('PT1.5S', false), everyTemplate);
    expect(r.problems).toEqual(
      expect.arrayContaining([
        {
          pointer: '/steps/w/for',
          code: 'schema',
          message:
            'a duration counts whole units (Step Functions waits whole seconds), found "PT1.5S"; write e.g. "PT2S" or "PT1M30S"',
        },
        expect.objectContaining({ pointer: '/steps/a/timeout' }),
        expect.objectContaining({ pointer: '/settings/maxDuration' }),
      ]),
    );
  });

  it('refuses a waitFor timeout or maxDuration of no time at all', () => {
    const r = validateJourney(journeyWith('PT0S', false), everyTemplate);
    expect(r.problems).toEqual([
      {
        pointer: '/steps/a/timeout',
        code: 'zero-duration',
        message: '"PT0S" is no time at all; a waitFor timeout is at least PT1S',
      },
      {
        pointer: '/settings/maxDuration',
        code: 'zero-duration',
        message: '"PT0S" is no time at all; maxDuration is at least PT1S',
      },
    ]);
  });
});
