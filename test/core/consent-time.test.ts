/**
 * Consent by time, not by arrival (SPEC §1): an older change that arrives after a newer one is
 * kept in the history but does not override it — for consent.updated, stop-word replies and the
 * preference center (which changes consent at the engine's clock) — and this holds under
 * concurrency. A consent.updated that does not say which channel and status is rejected.
 */
import fc from 'fast-check';
import type { Envelope } from '../../lib/core/envelope';
import { ingest } from '../../lib/core/ingest';
import { runStep } from '../../lib/core/step';
import { VirtualClock } from '../../lib/engine/clock';
import type { LocalRuntime } from '../../lib/local/runtime';
import { keys } from '../../lib/store/keys';
import type { Item, Table } from '../../lib/store/port';
import { consentHistory, getProfile, putProfile, setConsent } from '../../lib/store/profiles';
import { helloJourney, serveLocally } from '../helpers';

const NOW = Date.parse('2026-11-24T06:00:00Z');
const minutes = (m: number) => new Date(NOW + m * 60_000).toISOString();
let rt: LocalRuntime;
let base: string;
let stop: () => Promise<void>;
let seq = 0;

beforeAll(async () => {
  ({ rt, base, stop } = await serveLocally([helloJourney()], new VirtualClock(NOW), 4));
});
afterAll(() => stop());

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function consentEvent(customerId: string, atMinute: number, channel: string, status: string): Envelope {
  return {
    id: `ce-${++seq}`,
    type: 'consent.updated',
    customerId,
    channel: 'web',
    time: minutes(atMinute),
    data: { channel, status },
  };
}

function stopReply(customerId: string, atMinute: number): Envelope {
  return {
    id: `stop-${++seq}`,
    type: 'message.replied',
    customerId,
    channel: 'sms',
    time: minutes(atMinute),
    data: { text: 'STOP' },
  };
}

const smsConsent = async (customerId: string) => (await getProfile(rt.table, customerId))?.consent?.sms;

describe('a consent.updated event', () => {
  it('without a valid data.channel or data.status is rejected, naming each field, the value and what is allowed', async () => {
    const entry = (id: string, data?: unknown) => ({
      id,
      type: 'consent.updated',
      customerId: 'c-bad',
      channel: 'web',
      time: minutes(0),
      ...(data === undefined ? {} : { data }),
    });
    const r = await call('POST', '/events', [
      entry('no-data'),
      entry('bad-values', { channel: 'SMS!', status: 'yes' }),
      entry('good', { channel: 'sms', status: 'opted_out' }),
    ]);
    expect(r.body).toEqual({
      failedCount: 2,
      results: [
        {
          id: 'no-data',
          status: 'rejected',
          errors: [
            { path: '/data/channel', message: expect.stringMatching(/channel word .*found nothing/) },
            {
              path: '/data/status',
              message: 'consent.updated needs data.status, opted_in or opted_out, found nothing',
            },
          ],
        },
        {
          id: 'bad-values',
          status: 'rejected',
          errors: [
            {
              path: '/data/channel',
              message:
                'consent.updated needs data.channel, a lower-case channel word such as sms, email or push, found "SMS!"',
            },
            { path: '/data/status', message: 'consent.updated needs data.status, opted_in or opted_out, found "yes"' },
          ],
        },
        { id: 'good', status: 'accepted' },
      ],
    });
    await rt.processed();
    expect(await consentHistory(rt.table, 'c-bad')).toEqual([
      { at: minutes(0), channel: 'sms', status: 'opted_out', source: 'good' },
    ]);
  });

  it('older than the recorded change arrives late: kept in the history, the profile keeps the newer', async () => {
    await putProfile(rt.table, { customerId: 'c-late', consent: { sms: 'opted_in' } }, NOW);
    await ingest(rt.deps, consentEvent('c-late', -10, 'sms', 'opted_out'));
    await ingest(rt.deps, consentEvent('c-late', -20, 'sms', 'opted_in'));
    expect(await smsConsent('c-late')).toBe('opted_out');
    const history = await consentHistory(rt.table, 'c-late');
    // Oldest first by time: the latest fact in the history is the one the profile shows.
    expect(history.map((h) => [h.at, h.status])).toEqual([
      [minutes(-20), 'opted_in'],
      [minutes(-10), 'opted_out'],
    ]);
    await ingest(rt.deps, consentEvent('c-late', -5, 'sms', 'opted_in'));
    expect(await smsConsent('c-late')).toBe('opted_in');
  });

  it('orders the history by instant whatever the offsets', async () => {
    await ingest(rt.deps, { ...consentEvent('c-zones', 0, 'email', 'opted_out'), time: '2026-11-24T07:50:00+02:00' });
    await ingest(rt.deps, { ...consentEvent('c-zones', 0, 'email', 'opted_in'), time: '2026-11-24T01:00:00-05:00' });
    const history = await consentHistory(rt.table, 'c-zones');
    expect(history.map((h) => h.status)).toEqual(['opted_out', 'opted_in']);
    expect((await getProfile(rt.table, 'c-zones'))?.consent?.email).toBe('opted_in');
  });
});

describe('a stop word', () => {
  it('is not undone by an older opt-in that arrives after it, and a newer one opts back in', async () => {
    await putProfile(rt.table, { customerId: 'c-stop', phone: '+15550000010', consent: { sms: 'opted_in' } }, NOW);
    await ingest(rt.deps, stopReply('c-stop', -3));
    await ingest(rt.deps, consentEvent('c-stop', -4, 'sms', 'opted_in'));
    expect(await smsConsent('c-stop')).toBe('opted_out');
    await ingest(rt.deps, consentEvent('c-stop', -2, 'sms', 'opted_in'));
    expect(await smsConsent('c-stop')).toBe('opted_in');
  });
});

describe('the preference center (PUT /customers/{id}/profile)', () => {
  it('changes consent at the engine clock: an event dated before it does not override it, one after it does', async () => {
    await putProfile(rt.table, { customerId: 'c-pc', consent: { sms: 'opted_out' } }, NOW);
    const put = await call('PUT', '/customers/c-pc/profile', { consent: { sms: 'opted_in' } });
    expect(put.body).toEqual({ customerId: 'c-pc', consent: { sms: 'opted_in' } });
    await ingest(rt.deps, consentEvent('c-pc', -1, 'sms', 'opted_out'));
    expect(await smsConsent('c-pc')).toBe('opted_in');
    await ingest(rt.deps, consentEvent('c-pc', 1, 'sms', 'opted_out'));
    expect(await smsConsent('c-pc')).toBe('opted_out');
  });

  it('takes a change dated ahead of the engine clock as made at its now: at that instant the opt-out wins, and says what it stored', async () => {
    await ingest(rt.deps, consentEvent('c-ahead', 30, 'email', 'opted_out'));
    const put = await call('PUT', '/customers/c-ahead/profile', { consent: { email: 'opted_in' } });
    expect(put.body).toEqual({ customerId: 'c-ahead', consent: { email: 'opted_out' } });
    expect((await consentHistory(rt.table, 'c-ahead')).map((h) => [h.status, h.source, h.at])).toEqual([
      ['opted_out', expect.stringMatching(/^ce-/), minutes(0)],
      ['opted_in', 'profile-api', minutes(0)],
    ]);
  });

  it('is not outranked by an opt-in from a source whose clock runs hours ahead (the opt-out made later by the engine clock wins)', async () => {
    const clock = new VirtualClock(NOW);
    const local = await serveLocally([helloJourney()], clock, 1);
    try {
      await putProfile(local.rt.table, { customerId: 'c-fast', consent: { email: 'opted_out' } }, NOW);
      await ingest(local.rt.deps, { ...consentEvent('c-fast', 6 * 60, 'email', 'opted_in') });
      expect((await getProfile(local.rt.table, 'c-fast'))?.consent?.email).toBe('opted_in');
      clock.advanceTo(NOW + 60 * 60_000);
      const res = await fetch(`${local.base}/customers/c-fast/profile`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ consent: { email: 'opted_out' } }),
      });
      expect(await res.json()).toEqual({ customerId: 'c-fast', consent: { email: 'opted_out' } });
      expect((await getProfile(local.rt.table, 'c-fast'))?.consent?.email).toBe('opted_out');
      // A stop word from the same fast source is an opt-out at the engine's now too: the later opt-in stands.
      clock.advanceTo(NOW + 2 * 60 * 60_000);
      await ingest(local.rt.deps, { ...stopReply('c-fast', 6 * 60) });
      await setConsent(local.rt.table, 'c-fast', {
        channel: 'sms',
        status: 'opted_in',
        at: new Date(NOW + 3 * 60 * 60_000).toISOString(),
        eventId: 'later',
      });
      expect((await getProfile(local.rt.table, 'c-fast'))?.consent?.sms).toBe('opted_in');
    } finally {
      await local.stop();
    }
  });

  it('removes the consent of a channel the body leaves out (PUT replaces), unless a later change is recorded', async () => {
    await ingest(rt.deps, stopReply('c-form', -1));
    const put = await call('PUT', '/customers/c-form/profile', {
      email: 'form@example.com',
      consent: { email: 'opted_in' },
    });
    expect(put.body).toEqual({ customerId: 'c-form', email: 'form@example.com', consent: { email: 'opted_in' } });
    expect((await consentHistory(rt.table, 'c-form')).map((h) => [h.channel, h.status, h.source])).toEqual([
      ['sms', 'opted_out', expect.stringMatching(/^stop-/)],
      ['email', 'opted_in', 'profile-api'],
      ['sms', 'removed', 'profile-api'],
    ]);
    // An opt-out dated after the engine clock is a later fact than the form: leaving sms out keeps it.
    await ingest(rt.deps, consentEvent('c-form', 1, 'sms', 'opted_out'));
    await call('PUT', '/customers/c-form/profile', { email: 'form@example.com', consent: { email: 'opted_in' } });
    expect((await getProfile(rt.table, 'c-form'))?.consent).toEqual({ sms: 'opted_out', email: 'opted_in' });
  });
});

describe('under concurrency', () => {
  it('the latest change by time wins (an opt-out at a tie), whatever the order and interleaving of arrival', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: -5, max: 0 }), fc.constantFrom('opted_in', 'opted_out')), {
          minLength: 2,
          maxLength: 8,
        }),
        async (changes) => {
          const customerId = `c-race-${++run}`;
          await Promise.all(changes.map(([m, status]) => ingest(rt.deps, consentEvent(customerId, m, 'sms', status))));
          const latest = Math.max(...changes.map(([m]) => m));
          const atLatest = changes.filter(([m]) => m === latest).map(([, s]) => s);
          expect(await smsConsent(customerId)).toBe(atLatest.includes('opted_out') ? 'opted_out' : 'opted_in');
          expect(await consentHistory(rt.table, customerId)).toHaveLength(changes.length);
        },
      ),
      { seed: 20261124, numRuns: 30 },
    );
  });

  /** The table, with `between` run once just before the next write of `customerId`'s profile item, after its read. */
  function interleaved(table: Table, customerId: string, between: () => Promise<unknown>): Table {
    let pending: (() => Promise<unknown>) | undefined = between;
    return new Proxy(table, {
      get(target, prop, receiver) {
        if (prop !== 'put') return Reflect.get(target, prop, receiver);
        return async (item: Item, opts?: Parameters<Table['put']>[1]) => {
          if (item.pk === keys.customer(customerId) && item.sk === keys.profile && pending) {
            const run = pending;
            pending = undefined;
            await run();
          }
          return target.put(item, opts);
        };
      },
    });
  }

  it('an older change whose read raced a newer change does not override it', async () => {
    await putProfile(rt.table, { customerId: 'c-cas', consent: { sms: 'opted_in' } }, NOW);
    const table = interleaved(rt.table, 'c-cas', () =>
      setConsent(rt.table, 'c-cas', { channel: 'sms', status: 'opted_out', at: minutes(-1), eventId: 'newer' }),
    );
    await setConsent(table, 'c-cas', { channel: 'sms', status: 'opted_in', at: minutes(-2), eventId: 'older' });
    expect(await smsConsent('c-cas')).toBe('opted_out');
  });

  it('an update step writing attributes does not undo an opt-out that landed while it ran', async () => {
    await putProfile(rt.table, { customerId: 'c-upd', phone: '+15550000011', consent: { sms: 'opted_in' } }, NOW);
    const table = interleaved(rt.table, 'c-upd', () => ingest(rt.deps, stopReply('c-upd', 0)));
    await runStep(
      { ...rt.deps, table },
      {
        op: 'update',
        journey: 'simple',
        version: 1,
        step: 'tag',
        instance: 'i-upd',
        customerId: 'c-upd',
        trigger: {},
        context: {},
        events: {},
        set: { tier: '"gold"' },
      },
    );
    expect(await getProfile(rt.table, 'c-upd')).toMatchObject({
      consent: { sms: 'opted_out' },
      attributes: { tier: 'gold' },
    });
  });
});
