/** The local HTTP API: per-entry results for POST /events, the outbox, profiles and timelines. */
import { VirtualClock } from '../../lib/engine/clock';
import type { LocalRuntime } from '../../lib/local/runtime';
import { helloJourney, serveLocally } from '../helpers';

let rt: LocalRuntime;
let base: string;
let stop: () => Promise<void>;

const clock = new VirtualClock(Date.parse('2026-11-20T15:00:00Z'));
beforeAll(async () => {
  ({ rt, base, stop } = await serveLocally([helloJourney()], clock));
});
afterAll(() => stop());

async function call(method: string, path: string, body?: unknown, raw?: string) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const good = (id: string) => ({
  id,
  type: 'x.happened',
  customerId: 'c-1',
  channel: 'web',
  time: '2026-11-20T15:00:00Z',
});

describe('HTTP API', () => {
  it('stores a profile with PUT and reads it back', async () => {
    const profile = {
      email: 'pat@example.com',
      timezone: 'Europe/Paris',
      consent: { email: 'opted_in' },
      attributes: { firstName: 'Pat' },
    };
    expect((await call('PUT', '/customers/c-1/profile', profile)).status).toBe(200);
    expect(await call('GET', '/customers/c-1/profile')).toEqual({
      status: 200,
      body: { customerId: 'c-1', ...profile },
    });
  });

  it('keeps the consent history of the preference center', async () => {
    await call('PUT', '/customers/c-7/profile', { email: 'x@example.com', consent: { email: 'opted_in' } });
    await call('PUT', '/customers/c-7/profile', {
      email: 'x@example.com',
      consent: { email: 'opted_out', sms: 'opted_in' },
    });
    const r = await call('GET', '/customers/c-7/consent');
    expect(
      (r.body.history as { channel: string; status: string; source: string }[]).map((h) => [
        h.channel,
        h.status,
        h.source,
      ]),
    ).toEqual([
      ['email', 'opted_in', 'profile-api'],
      ['email', 'opted_out', 'profile-api'],
      ['sms', 'opted_in', 'profile-api'],
    ]);
  });

  it('replaces the whole profile with PUT, and records each consent it drops as removed', async () => {
    await call('PUT', '/customers/c-8/profile', {
      email: 'y@example.com',
      phone: '+15550000008',
      consent: { email: 'opted_in', sms: 'opted_out' },
      attributes: { tier: 'gold' },
    });
    clock.advanceTo(clock.now() + 60_000);
    expect((await call('PUT', '/customers/c-8/profile', { email: 'y@example.com' })).status).toBe(200);
    expect((await call('GET', '/customers/c-8/profile')).body).toEqual({ customerId: 'c-8', email: 'y@example.com' });
    const r = await call('GET', '/customers/c-8/consent');
    expect(
      (r.body.history as { channel: string; status: string; source: string }[]).map((h) => [h.channel, h.status]),
    ).toEqual([
      ['email', 'opted_in'],
      ['sms', 'opted_out'],
      ['email', 'removed'],
      ['sms', 'removed'],
    ]);
  });

  it('rejects a bad profile naming each field and what is allowed', async () => {
    const r = await call('PUT', '/customers/c-2/profile', {
      phone: '555-1234',
      timezone: 'Nowhere/City',
      consent: { sms: 'yes' },
    });
    expect(r.status).toBe(400);
    const errors = (r.body.error as { errors: { path: string; message: string }[] }).errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: '/phone', message: expect.stringContaining('E.164') },
        { path: '/timezone', message: expect.stringContaining('IANA') },
        { path: '/consent/sms', message: expect.stringContaining('opted_in or opted_out') },
      ]),
    );
  });

  it('answers per entry: the good entries are processed beside the bad ones', async () => {
    const r = await call('POST', '/events', [
      good('e-1'),
      { ...good('e-2'), time: 'yesterday' },
      { ...good('e-3'), customerID: 'typo' },
      'not an object',
      good('e-1'),
    ]);
    expect(r.status).toBe(200);
    expect(r.body.failedCount).toBe(3);
    expect(r.body.results).toEqual([
      { id: 'e-1', status: 'accepted' },
      { id: 'e-2', status: 'rejected', errors: [{ path: '/time', message: expect.stringContaining('RFC 3339') }] },
      {
        id: 'e-3',
        status: 'rejected',
        errors: [{ path: '/customerID', message: expect.stringContaining('unknown field') }],
      },
      { status: 'rejected', errors: [{ path: '', message: expect.stringContaining('JSON object') }] },
      { id: 'e-1', status: 'duplicate' },
    ]);
    await rt.processed();
    const outbox = await call('GET', '/outbox?customerId=c-1');
    expect(outbox.body.messages).toEqual([
      expect.objectContaining({ channel: 'email', to: 'pat@example.com', subject: 'Hello Pat' }),
    ]);
    const timeline = await call('GET', '/customers/c-1/timeline');
    expect((timeline.body.entries as { kind: string }[]).map((e) => e.kind)).toEqual(['exited', 'sent', 'entered']);
  });

  it('says what is wrong with a body that is not JSON, a batch too large, and unknown routes', async () => {
    expect(await call('POST', '/events', undefined, '{"id":')).toMatchObject({
      status: 400,
      body: { error: { code: 'bad-body' } },
    });
    const big = await call(
      'POST',
      '/events',
      Array.from({ length: 501 }, (_, i) => good(`b-${i}`)),
    );
    expect(big).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('1 to 500') } } });
    expect((await call('GET', '/nope')).status).toBe(404);
    expect((await call('DELETE', '/events')).status).toBe(405);
  });
});
