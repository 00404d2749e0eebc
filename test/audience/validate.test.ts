/**
 * An audience journey is validated like any other, plus SPEC §6: exactly one of trigger and
 * audience, a localTime start without offset, an end after the start, a repeat of at least an
 * hour, a segment file that exists and holds ids, a `where` that reads only profile.*. Each
 * problem names the field, the value found and what is allowed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadJourneyFile } from '../../lib/journey/load';
import { validateJourney } from '../../lib/journey/validate';
import { journeyInTempDir, simpleJourney } from '../helpers';
import { audienceDoc } from './fixtures';

const env = { templateExists: () => true };

function problemsOf(doc: unknown) {
  const r = validateJourney(doc, env);
  return r.ok ? [] : r.problems;
}

/** The problems of a journey file written with a segment file beside it (`undefined`: no file). */
function fileProblems(segment: string, text: string | undefined) {
  const { file, dir } = journeyInTempDir(audienceDoc({ segment: { file: segment } }), {
    'hello.email.liquid': 'Subject: Hi\nHi',
  });
  if (text !== undefined) {
    mkdirSync(join(dir, 'audiences'), { recursive: true });
    writeFileSync(join(dir, segment), text);
  }
  const r = loadJourneyFile(file);
  return r.ok ? [] : r.problems;
}

describe('audience validation', () => {
  it('accepts an audience journey and types its audience', () => {
    const r = validateJourney(audienceDoc({ ratePerSecond: 50 }), env);
    expect(r.ok && r.journey.audience?.ratePerSecond).toBe(50);
    expect(r.ok && r.journey.trigger).toBeUndefined();
  });

  it('refuses a journey with both a trigger and an audience, and one with neither', () => {
    expect(problemsOf({ ...audienceDoc(), trigger: { event: 'x.happened' } })).toEqual([
      expect.objectContaining({ pointer: '/audience', code: 'trigger-and-audience' }),
    ]);
    const { audience: _a, ...neither } = audienceDoc();
    expect(problemsOf(neither)).toEqual([
      expect.objectContaining({ pointer: '', code: 'no-start', message: expect.stringContaining('trigger') }),
    ]);
  });

  it('says both are there even when the rest of the document fails the schema', () => {
    const doc = { ...audienceDoc(), trigger: { event: 'x.happened' }, version: 0 };
    expect(problemsOf(doc).map((p) => p.code)).toEqual(expect.arrayContaining(['trigger-and-audience', 'schema']));
  });

  it('needs localTime starts without offset and other starts with one', () => {
    expect(problemsOf(audienceDoc({ schedule: { start: '2026-12-01T09:00:00Z', localTime: true } }))).toEqual([
      {
        pointer: '/audience/schedule/start',
        code: 'bad-start',
        message: expect.stringMatching(/localTime needs a start without offset.*found "2026-12-01T09:00:00Z"/),
      },
    ]);
    expect(problemsOf(audienceDoc({ schedule: { start: '2026-12-01T09:00:00' } }))).toEqual([
      expect.objectContaining({
        pointer: '/audience/schedule/start',
        message: expect.stringContaining('has no offset'),
      }),
    ]);
    expect(problemsOf(audienceDoc({ schedule: { start: '2026-02-30T09:00:00Z' } }))).toEqual([
      expect.objectContaining({ pointer: '/audience/schedule/start', code: 'bad-start' }),
    ]);
    expect(problemsOf(audienceDoc({ schedule: { start: '2026-12-01T09:00:00', localTime: true } }))).toEqual([]);
  });

  it('needs settings.timezone for localTime: the zone of customers without one', () => {
    const doc = audienceDoc({ schedule: { start: '2026-12-01T09:00:00', localTime: true } }, { settings: {} });
    expect(problemsOf(doc)).toEqual([expect.objectContaining({ pointer: '/settings', code: 'missing-timezone' })]);
  });

  it('needs a repeat of at least PT1H and an end after the start', () => {
    expect(problemsOf(audienceDoc({ schedule: { start: '2026-12-03T16:00:00Z', repeat: 'PT30M' } }))).toEqual([
      {
        pointer: '/audience/schedule/repeat',
        code: 'bad-repeat',
        message: 'repeat must be at least PT1H, found "PT30M"',
      },
    ]);
    expect(
      problemsOf(
        audienceDoc({ schedule: { start: '2026-12-03T16:00:00Z', repeat: 'P7D', end: '2026-12-03T15:00:00Z' } }),
      ),
    ).toEqual([
      {
        pointer: '/audience/schedule/end',
        code: 'bad-end',
        message: 'end "2026-12-03T15:00:00Z" must be after start "2026-12-03T16:00:00Z"',
      },
    ]);
    // A localTime start reads in the journey's zone against an end with an offset: 09:00 New York is 14:00Z.
    const local = (end: string) =>
      problemsOf(audienceDoc({ schedule: { start: '2026-12-01T09:00:00', localTime: true, repeat: 'P1D', end } }));
    expect(local('2026-12-01T13:30:00Z')).toEqual([expect.objectContaining({ code: 'bad-end' })]);
    expect(local('2026-12-01T14:30:00Z')).toEqual([]);
    expect(local('2026-12-01T10:00:00')).toEqual([]);
    expect(local('soon')).toEqual([
      expect.objectContaining({ code: 'bad-end', message: expect.stringContaining('"soon"') }),
    ]);
  });

  it('refuses a rate outside 1 to 1,000 a second, naming the value', () => {
    expect(problemsOf(audienceDoc({ ratePerSecond: 5000 }))).toEqual([
      expect.objectContaining({ pointer: '/audience/ratePerSecond', message: expect.stringContaining('5000') }),
    ]);
  });

  it('lets a segment where read only profile.*', () => {
    const problems = problemsOf(
      audienceDoc({
        segment: {
          where: {
            all: [
              { path: 'trigger.data.x', eq: 1 },
              { path: 'profile.consent.email', eq: 'opted_in' },
            ],
          },
        },
      }),
    );
    expect(problems).toEqual([
      {
        pointer: '/audience/segment/where/all/0/path',
        code: 'bad-path',
        message: expect.stringMatching(
          /reads trigger\.\*, which an audience segment cannot see; allowed roots here: profile/,
        ),
      },
    ]);
  });

  it('reads only what an audience trigger has: id, type, channel, time and data.runAt', () => {
    const doc = audienceDoc({}, { context: { run: 'trigger.data.runAt', cart: 'trigger.data.cartId' } });
    expect(problemsOf(doc)).toEqual([
      {
        pointer: '/context/cart',
        code: 'bad-path',
        message: expect.stringContaining(
          "reads trigger.data.cartId, which an audience journey's trigger does not have",
        ),
      },
    ]);
  });

  it('keeps a trigger journey free to read any trigger.data field', () => {
    expect(problemsOf(simpleJourney({ context: { cart: 'trigger.data.cartId' } }))).toEqual([]);
  });

  it('needs a segment file beside the journey file that holds customer ids', () => {
    expect(fileProblems('audiences/lapsed.jsonl', 'c-1\n{"customerId": "c-2"}\n\n"c-3"\n')).toEqual([]);
    expect(fileProblems('audiences/lapsed.jsonl', undefined)).toEqual([
      expect.objectContaining({ pointer: '/audience/segment/file', code: 'missing-segment-file' }),
    ]);
    expect(fileProblems('audiences/lapsed.jsonl', '\n\n')).toEqual([
      expect.objectContaining({
        code: 'empty-segment-file',
        message: expect.stringContaining('holds no customer ids'),
      }),
    ]);
    expect(fileProblems('audiences/lapsed.jsonl', 'c-1\n{"id": "c-2"}\nnot an id!\n')).toEqual([
      expect.objectContaining({ message: expect.stringContaining('line 2: a JSON line needs a customerId string') }),
      expect.objectContaining({ message: expect.stringMatching(/line 3: a customer id must be .*"not an id!"/) }),
    ]);
    expect(fileProblems('../elsewhere.jsonl', undefined)).toEqual([
      expect.objectContaining({ code: 'bad-segment-file', message: expect.stringContaining('"../elsewhere.jsonl"') }),
    ]);
  });
});
