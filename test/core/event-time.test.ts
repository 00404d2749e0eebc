/**
 * Event time vs engine time (SPEC §1): a `time` before 2000 or more than 24 h ahead of the engine
 * clock is rejected per entry — by the envelope parser, by POST /events on a real server with a
 * virtual clock, and in a `baton simulate` events file, where only the floor applies.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnvelope } from '../../lib/core/envelope';
import { VirtualClock } from '../../lib/engine/clock';
import { readEvents } from '../../lib/local/inputs';
import type { LocalRuntime } from '../../lib/local/runtime';
import { helloJourney, serveLocally } from '../helpers';

const NOW = Date.parse('2026-11-24T06:00:00Z');
const envelope = (id: string, time: string) => ({
  id,
  type: 'x.happened',
  customerId: `c-${id}`,
  channel: 'web',
  time,
});

describe('the envelope parser', () => {
  it('accepts times from 2000-01-01 to 24 hours after the engine clock, bounds included', () => {
    for (const time of [
      '2000-01-01T00:00:00Z',
      '1999-12-31T21:00:00-03:00',
      '2026-11-25T06:00:00Z',
      '2026-11-20T15:00:00Z',
    ]) {
      expect(parseEnvelope(envelope('a', time), NOW)).toMatchObject({ ok: true });
    }
  });

  it('rejects a time before 2000 or more than 24 hours ahead, naming the value and the allowed range', () => {
    for (const time of [
      '0001-01-01T00:00:00Z',
      '1999-12-31T23:59:59Z',
      '2026-11-25T06:00:01Z',
      '2027-01-01T00:00:00Z',
    ]) {
      expect(parseEnvelope(envelope('a', time), NOW)).toEqual({
        ok: false,
        errors: [
          {
            path: '/time',
            message: `time must be between 2000-01-01T00:00:00.000Z and 2026-11-25T06:00:00.000Z (24 hours after the engine clock), found "${time}"`,
          },
        ],
      });
    }
  });

  it('in a replay (simulate) checks only the range its lines can write: each event is ingested at its own time', () => {
    expect(parseEnvelope(envelope('a', '2031-01-01T00:00:00Z'), 'replay')).toMatchObject({ ok: true });
    const range = 'time must be from 2000-01-01T00:00:00.000Z to before 9998-01-01T00:00:00.000Z';
    expect(parseEnvelope(envelope('a', '0001-01-01T00:00:00Z'), 'replay')).toEqual({
      ok: false,
      errors: [{ path: '/time', message: `${range}, found "0001-01-01T00:00:00Z"` }],
    });
    // A line a year after it would be written with a year of five digits: not RFC 3339.
    expect(parseEnvelope(envelope('a', '9999-12-31T23:00:00Z'), 'replay')).toEqual({
      ok: false,
      errors: [{ path: '/time', message: `${range}, found "9999-12-31T23:00:00Z"` }],
    });
  });

  it('reports a malformed time once, as malformed, not also as out of range', () => {
    expect(parseEnvelope(envelope('a', '0001-13-01T00:00:00Z'), NOW)).toEqual({
      ok: false,
      errors: [{ path: '/time', message: expect.stringContaining('RFC 3339') }],
    });
  });
});

describe('POST /events', () => {
  let rt: LocalRuntime;
  let base: string;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ rt, base, stop } = await serveLocally([helloJourney()], new VirtualClock(NOW)));
  });
  afterAll(() => stop());

  it('rejects out-of-range times per entry and enters the good entries beside them', async () => {
    const res = await fetch(`${base}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        envelope('ancient', '0001-01-01T00:00:00Z'),
        envelope('good', '2026-11-20T15:00:00Z'),
        envelope('ahead', '2026-11-26T06:00:00Z'),
      ]),
    });
    const body = (await res.json()) as { failedCount: number; results: unknown[] };
    await rt.processed();
    expect(body.failedCount).toBe(2);
    expect(body.results).toEqual([
      {
        id: 'ancient',
        status: 'rejected',
        errors: [{ path: '/time', message: expect.stringContaining('found "0001-01-01T00:00:00Z"') }],
      },
      { id: 'good', status: 'accepted' },
      {
        id: 'ahead',
        status: 'rejected',
        errors: [{ path: '/time', message: expect.stringContaining('and 2026-11-25T06:00:00.000Z') }],
      },
    ]);
    const kinds = async (customer: string) => {
      const r = await fetch(`${base}/customers/${customer}/timeline`);
      return ((await r.json()) as { entries: { kind: string }[] }).entries.map((e) => e.kind);
    };
    expect(await kinds('c-good')).toContain('entered');
    expect(await kinds('c-ancient')).toEqual([]);
    expect(await kinds('c-ahead')).toEqual([]);
  });
});

describe('a simulate events file', () => {
  it('names the line of a time before 2000', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'baton-events-')), 'events.jsonl');
    writeFileSync(
      file,
      [envelope('a', '2026-11-20T15:00:00Z'), envelope('b', '0001-01-01T00:00:00Z')]
        .map((e) => JSON.stringify(e))
        .join('\n'),
    );
    const { events, problems } = readEvents(file);
    expect(events.map((e) => e.id)).toEqual(['a']);
    expect(problems).toEqual([
      {
        file,
        line: 2,
        message:
          '/time: time must be from 2000-01-01T00:00:00.000Z to before 9998-01-01T00:00:00.000Z, found "0001-01-01T00:00:00Z"',
      },
    ]);
  });
});
