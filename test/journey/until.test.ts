/**
 * A wait `until` (SPEC §3) never fails or stalls an instance: whatever value a path reads at run
 * time, and whatever literal the validator accepts, the compiled machine on the local engine
 * waits until a time still ahead, or continues at once and notes why. Checked with fast-check,
 * with and without escalation rules (two different compilations of the same wait).
 */

import fc from 'fast-check';
import { type Envelope, parseEnvelope } from '../../lib/core/envelope';
import { ingest } from '../../lib/core/ingest';
import { evaluate } from '../../lib/core/jsonata';
import type { TimelineEntry } from '../../lib/core/timeline';
import { VirtualClock } from '../../lib/engine/clock';
import { MAX_EXECUTION_MS } from '../../lib/engine/limits';
import { instantJsonata, instantMillis } from '../../lib/journey/instant';
import type { LoadedJourney } from '../../lib/journey/load';
import { validateJourney } from '../../lib/journey/validate';
import { startLocalRuntime } from '../../lib/local/runtime';
import { simpleJourney } from '../helpers';

const ENTRY = Date.parse('2026-06-01T12:00:00Z');
const ENVELOPE: Envelope = {
  id: 'e-1',
  type: 'x.happened',
  customerId: 'c-1',
  channel: 'web',
  time: new Date(ENTRY).toISOString(),
};

function waitJourney(until: string, escalates: boolean): Record<string, unknown> {
  return simpleJourney({
    start: 'w',
    // A rule that never fires: its presence compiles the wait as an interruptible pause.
    ...(escalates ? { escalation: [{ id: 'never', when: { touchpoints: 999 }, goto: 'done' }] } : {}),
    steps: { w: { type: 'wait', until, next: 'done' }, done: { type: 'end' } },
  });
}

function loaded(doc: unknown): LoadedJourney {
  const r = validateJourney(doc, { templateExists: () => true });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return { file: 'journey.json', journey: r.journey, templatesDir: '/nonexistent' };
}

/** Enter one instance with this trigger data and run it until nothing is pending; every timeline line. */
async function run(journey: LoadedJourney, data: Record<string, unknown>): Promise<TimelineEntry[]> {
  const clock = new VirtualClock(ENTRY);
  const lines: TimelineEntry[] = [];
  const rt = await startLocalRuntime({ journeys: [journey], clock, concurrency: 1, onTimeline: (e) => lines.push(e) });
  try {
    await ingest(rt.deps, { ...ENVELOPE, data });
    await rt.engine.idle();
    for (let due = await rt.engine.nextDueAt(); due !== undefined; due = await rt.engine.nextDueAt()) {
      clock.advanceTo(due);
      await rt.engine.runDue();
      await rt.engine.idle();
    }
  } finally {
    await rt.close();
  }
  return lines;
}

/** What the instance must do with this value: wait until the instant, or go on at once with a note. */
function expectRanAsSpecified(lines: TimelineEntry[], value: unknown, escalates: boolean): void {
  const exits = lines.filter((l) => l.kind === 'exited');
  const at = instantMillis(value);
  if (at !== undefined && at > ENTRY + MAX_EXECUTION_MS) {
    // Past Step Functions' one-year limit: the execution times out then, as it would on AWS.
    expect(exits).toEqual([
      expect.objectContaining({ reason: 'timeout', at: new Date(ENTRY + MAX_EXECUTION_MS).toISOString() }),
    ]);
    return;
  }
  expect(exits).toEqual([expect.objectContaining({ reason: 'completed' })]);
  const exitAt = Date.parse(exits[0].at);
  const notes = lines.filter((l) => l.kind === 'note').map((l) => l.reason);
  if (at === undefined) {
    expect(notes).toEqual(['until-invalid']);
    expect(exitAt).toBe(ENTRY);
  } else if (at <= ENTRY) {
    expect(notes).toEqual(['until-passed']);
    expect(exitAt).toBe(ENTRY);
  } else {
    expect(notes).toEqual([]);
    // A Wait Timestamp counts whole seconds (Step Functions drops the fraction), and an
    // interruptible pause times out in whole seconds, so it may end up to a second late.
    expect(exitAt).toBeGreaterThanOrEqual(at - (at % 1000));
    expect(exitAt).toBeLessThan(escalates ? at + 1000 : at + 1);
  }
}

const two = (min: number, max: number) => fc.integer({ min, max }).map((n) => String(n).padStart(2, '0'));
/** Strings shaped like times, right and wrong in every part: the cases a parser gets wrong. */
const timeLike = fc
  .tuple(
    fc
      .oneof(fc.integer({ min: 2025, max: 2027 }), fc.integer({ min: 0, max: 9999 }))
      .map((y) => String(y).padStart(4, '0')),
    two(0, 13),
    two(0, 32),
    fc.constantFrom('T', 't', ' '),
    two(0, 25),
    two(0, 61),
    fc.option(two(0, 61), { nil: undefined }),
    fc.option(fc.stringMatching(/^\.\d{1,9}$/), { nil: undefined }),
    fc.constantFrom('Z', 'z', '+01:00', '-05:30', '+14:00', '+24:00', '', '+0100', 'UTC'),
  )
  .map(
    ([y, mo, d, t, h, mi, s, frac, zone]) =>
      `${y}-${mo}-${d}${t}${h}:${mi}${s === undefined ? '' : `:${s}${frac ?? ''}`}${zone}`,
  );
/** Times near the entry, written the ways people write them. */
const nearEntry = fc
  .tuple(
    fc.integer({ min: -3 * 86_400_000, max: 3 * 86_400_000 }),
    fc.constantFrom('iso', 'no-seconds', 'lower', 'offset'),
  )
  .map(([delta, form]) => {
    const iso = new Date(ENTRY + delta).toISOString();
    if (form === 'no-seconds') return `${iso.slice(0, 16)}Z`;
    if (form === 'lower') return iso.toLowerCase();
    if (form === 'offset') return `${new Date(ENTRY + delta + 3_600_000).toISOString().slice(0, 19)}+01:00`;
    return iso;
  });
/** Any value an accepted event may carry in its data (the envelope refuses numbers DynamoDB cannot store). */
const anyValue: fc.Arbitrary<unknown> = fc
  .oneof(
    { weight: 3, arbitrary: timeLike },
    { weight: 3, arbitrary: nearEntry },
    { weight: 2, arbitrary: fc.string() },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.integer(),
        fc.double({ noNaN: true }),
        fc.boolean(),
        fc.constant(null),
        fc.array(fc.string(), { maxLength: 3 }),
        fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
      ),
    },
  )
  .filter((at) => parseEnvelope({ ...ENVELOPE, data: { at } }, 'replay').ok);

describe('wait until a path read at run time', () => {
  it.each([false, true])('never fails the instance, whatever the value (escalation rules: %s)', async (escalates) => {
    const journey = loaded(waitJourney('trigger.data.at', escalates));
    await fc.assert(
      fc.asyncProperty(anyValue, async (value) => {
        expectRanAsSpecified(await run(journey, { at: value }), value, escalates);
      }),
      { numRuns: escalates ? 40 : 60 },
    );
  });

  it.each([false, true])('waits until a time written without seconds (escalation rules: %s)', async (escalates) => {
    const lines = await run(loaded(waitJourney('trigger.data.at', escalates)), { at: '2026-06-01T12:30Z' });
    expect(lines.at(-1)).toMatchObject({ kind: 'exited', reason: 'completed', at: '2026-06-01T12:30:00.000Z' });
  });

  it('goes on at once, noted, when the field is missing', async () => {
    const lines = await run(loaded(waitJourney('trigger.data.at', false)), {});
    expect(lines.filter((l) => l.kind === 'note').map((l) => l.reason)).toEqual(['until-invalid']);
    expect(lines.at(-1)).toMatchObject({ kind: 'exited', reason: 'completed', at: new Date(ENTRY).toISOString() });
  });
});

describe('wait until a literal time', () => {
  it('runs every literal the validator accepts, and refuses the rest naming the value', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(timeLike, nearEntry), fc.boolean(), async (literal, escalates) => {
        const r = validateJourney(waitJourney(literal, escalates), { templateExists: () => true });
        if (!r.ok) {
          expect(r.problems).toEqual([
            expect.objectContaining({
              pointer: '/steps/w/until',
              message: expect.stringContaining(JSON.stringify(literal)),
            }),
          ]);
          return;
        }
        expectRanAsSpecified(await run(loaded(r.journey), {}), literal, escalates);
      }),
      { numRuns: 40 },
    );
  });

  it.each([false, true])(
    'a time years ahead waits until the execution times out, never a task timeout AWS refuses (escalation rules: %s)',
    async (escalates) => {
      // 3.5 years ahead: more than the 99,999,999 s a task may wait, more than the year an execution may run.
      const literal = '2030-01-01T00:00Z';
      expectRanAsSpecified(await run(loaded(waitJourney(literal, escalates)), {}), literal, escalates);
    },
  );

  it('accepts the forms of RFC 3339 people write, seconds optional', () => {
    for (const until of [
      '2026-03-01T10:00Z',
      '2026-03-01t10:00:00z',
      '2026-03-01T10:00:00.5+01:00',
      "'2026-03-01T10:00Z'",
    ]) {
      expect(validateJourney(waitJourney(until, false), { templateExists: () => true }).problems).toEqual([]);
    }
  });

  it.each(['2026-03-01T10:00:00', '2026-02-30T10:00:00Z', '2026-03-01', '2026-13-01T10:00:00Z'])(
    'refuses %s with the value and the allowed forms',
    (until) => {
      expect(validateJourney(waitJourney(until, false), { templateExists: () => true }).problems).toEqual([
        {
          pointer: '/steps/w/until',
          code: 'bad-time',
          message: expect.stringMatching(new RegExp(`^"${until}" is not an RFC 3339 time with an offset such as`)),
        },
      ]);
    },
  );
});

describe('the instant rule', () => {
  it('is the same in the state machine (JSONata) and in handlers (TypeScript)', async () => {
    await fc.assert(
      fc.asyncProperty(anyValue, async (value) => {
        const canonical = await evaluate(instantJsonata('$v'), { v: value });
        const ms = instantMillis(value);
        expect(canonical).toBe(ms === undefined ? null : new Date(ms).toISOString());
      }),
      { numRuns: 300 },
    );
  });
});
