/**
 * A send step visit: consent, address and quiet hours at send time, and exactly one message per
 * visit whatever retries, redeliveries or interrupted attempts happen around the provider call.
 */
import { SendRejectedError, SendThrottledError } from '../../lib/channels/errors';
import { listOutbox } from '../../lib/channels/outbox';
import { recordEngagement } from '../../lib/core/engagement';
import { messageId } from '../../lib/core/ids';
import type { ChannelSender } from '../../lib/core/ports';
import type { Profile } from '../../lib/core/profile';
import { send } from '../../lib/core/send';
import type { SendInput } from '../../lib/core/task-input';
import type { TimelineEntry } from '../../lib/core/timeline';
import { VirtualClock } from '../../lib/engine/clock';
import { type LocalRuntime, startLocalRuntime } from '../../lib/local/runtime';
import { keys } from '../../lib/store/keys';
import { putProfile } from '../../lib/store/profiles';
import { HELLO_TEMPLATES, journeyInTempDir, loadValid, readsMessageOf, simpleJourney } from '../helpers';

const T0 = Date.parse('2026-03-07T20:00:00Z'); // Saturday; US DST starts the next night
let rt: LocalRuntime;
let clock: VirtualClock;
const lines: TimelineEntry[] = [];

const ana: Profile = {
  customerId: 'c-ana',
  email: 'ana@example.com',
  phone: '+15551230000',
  timezone: 'America/New_York',
  consent: { email: 'opted_in', sms: 'opted_in' },
  attributes: { firstName: 'Ana' },
};

/** The journey of most tests: a branch after the send reads messages.hello.status, so its pointer is kept. */
const readsHello = simpleJourney({
  steps: {
    hello: { type: 'send', channel: 'email', template: 'hello', next: 'check' },
    check: readsMessageOf('hello', 'done'),
    done: { type: 'end' },
  },
});

beforeAll(async () => {
  const { file } = journeyInTempDir(readsHello, HELLO_TEMPLATES);
  const unread = journeyInTempDir(simpleJourney({ id: 'unread' }), HELLO_TEMPLATES).file;
  clock = new VirtualClock(T0);
  rt = await startLocalRuntime({
    journeys: [loadValid(file), loadValid(unread)],
    clock,
    concurrency: 1,
    onTimeline: (e) => lines.push(e),
  });
});
afterAll(async () => {
  await rt.close();
});

let visit = 0;
function input(overrides: Partial<SendInput> = {}): SendInput {
  return {
    journey: 'simple',
    version: 1,
    step: 'hello',
    instance: 'i-test',
    customerId: 'c-ana',
    visit: `2026-03-07T20:00:00.${String(++visit).padStart(3, '0')}Z`,
    channels: ['email'],
    template: 'hello',
    purpose: 'marketing',
    trigger: { id: 'e-1', type: 'x.happened', channel: 'web', time: '2026-03-07T20:00:00Z', data: {} },
    context: {},
    ...overrides,
  };
}

async function outboxFor(customerId: string) {
  return listOutbox(rt.table, { customerId, limit: 1000 });
}

describe('send', () => {
  beforeAll(async () => {
    await putProfile(rt.table, ana, T0);
  });

  it('renders the template for the channel and delivers one message, recorded in the timeline', async () => {
    const i = input();
    const out = await send(rt.deps, i);
    expect(out).toMatchObject({ outcome: 'sent', channel: 'email' });
    const msgs = (await outboxFor('c-ana')).filter((m) => m.messageId === (out as { messageId: string }).messageId);
    expect(msgs).toEqual([expect.objectContaining({ to: 'ana@example.com', subject: 'Hello Ana', body: 'Hi Ana!' })]);
    expect(lines.at(-1)).toMatchObject({ kind: 'sent', step: 'hello', channel: 'email', template: 'hello' });
  });

  it('sends once per visit however often the visit is retried', async () => {
    const i = input();
    const before = (await outboxFor('c-ana')).length;
    const results = await Promise.all([send(rt.deps, i), send(rt.deps, i), send(rt.deps, i)]);
    await send(rt.deps, i);
    expect(new Set(results.map((r) => (r as { messageId: string }).messageId)).size).toBe(1);
    expect((await outboxFor('c-ana')).length).toBe(before + 1);
  });

  it('never resends after an attempt that died during the provider call: the outcome is unknown', async () => {
    const calls: string[] = [];
    const crashing: ChannelSender = {
      async send(m) {
        calls.push(m.messageId);
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
      },
    };
    const deps = { ...rt.deps, senders: { sms: crashing, email: crashing, push: crashing } };
    const i = input();
    await expect(send(deps, i)).resolves.toMatchObject({ outcome: 'failed', reason: 'unknown' });
    await expect(send(deps, i)).resolves.toMatchObject({ outcome: 'failed', reason: 'unknown' });
    expect(calls).toHaveLength(1);
  });

  it('marks a visit unknown when a previous attempt died mid-call (ledger left in sending), and does not send', async () => {
    const i = input();
    const id = messageId(i.instance, i.step, i.visit);
    // What a process killed during the provider call leaves behind.
    await rt.table.put({
      pk: keys.message(id),
      sk: keys.single,
      messageId: id,
      status: 'sending',
      customerId: 'c-ana',
    });
    const before = (await outboxFor('c-ana')).length;
    await expect(send(rt.deps, i)).resolves.toEqual({ outcome: 'failed', reason: 'unknown', messageId: id });
    expect((await outboxFor('c-ana')).length).toBe(before);
    expect(await rt.table.get(keys.message(id), keys.single)).toMatchObject({ status: 'unknown' });
  });

  it('gives the claim back when the provider throttles, so the state machine retry can send', async () => {
    const i = input();
    const throttled: ChannelSender = {
      async send() {
        throw new SendThrottledError('Rate exceeded');
      },
    };
    await expect(
      send({ ...rt.deps, senders: { sms: throttled, email: throttled, push: throttled } }, i),
    ).rejects.toMatchObject({
      name: 'Baton.SendThrottled',
    });
    await expect(send(rt.deps, i)).resolves.toMatchObject({ outcome: 'sent' });
  });

  it('records a permanent rejection as failed without retrying', async () => {
    const rejecting: ChannelSender = {
      async send() {
        throw new SendRejectedError('Invalid phone number');
      },
    };
    await expect(
      send({ ...rt.deps, senders: { sms: rejecting, email: rejecting, push: rejecting } }, input()),
    ).resolves.toMatchObject({
      outcome: 'failed',
      reason: 'rejected',
    });
  });

  it.each<[string, string, Partial<Profile>, Partial<SendInput>]>([
    ['marketing without opt-in', 'consent', { consent: { email: 'opted_out' } }, {}],
    ['marketing with no consent recorded', 'consent', { consent: {} }, {}],
    ['no address on the channel', 'no-address', { email: undefined }, {}],
    [
      'several channels, none eligible',
      'no-eligible-channel',
      { email: undefined, consent: { sms: 'opted_out' } },
      { channels: ['email', 'sms'] },
    ],
  ])('suppresses %s with reason %s', async (_what, reason, change, over) => {
    const customerId = `c-${reason}-${visit}`;
    await putProfile(rt.table, { ...ana, ...change, customerId }, T0);
    await expect(send(rt.deps, input({ customerId, ...over }))).resolves.toMatchObject({
      outcome: 'suppressed',
      reason,
    });
    expect(await outboxFor(customerId)).toEqual([]);
    expect(lines.at(-1)).toMatchObject({ kind: 'suppressed', customerId, reason });
  });

  it('lets transactional sends through without opt-in, but never to an opted-out channel', async () => {
    const customerId = 'c-transactional';
    await putProfile(rt.table, { ...ana, customerId, consent: { email: 'opted_out' } }, T0);
    await expect(send(rt.deps, input({ customerId, purpose: 'transactional' }))).resolves.toMatchObject({
      outcome: 'suppressed',
    });
    await putProfile(rt.table, { ...ana, customerId, consent: {} }, T0);
    await expect(send(rt.deps, input({ customerId, purpose: 'transactional' }))).resolves.toMatchObject({
      outcome: 'sent',
    });
  });

  describe('quiet hours (customer zone, DST-aware)', () => {
    const quietHours = { start: '21:00', end: '08:00', action: 'defer' as const };

    it('defers a marketing send inside the window to the window end in the customer zone, across the DST change', async () => {
      // 2026-03-07 22:30 in New York (EST, UTC-5) is 03:30Z on the 8th; the window ends at 08:00 EDT (UTC-4).
      clock.advanceTo(Date.parse('2026-03-08T03:30:00Z'));
      await expect(send(rt.deps, input({ quietHours }))).resolves.toEqual({
        outcome: 'deferred',
        resumeAt: '2026-03-08T12:00:00.000Z',
        heldStep: 'hello',
      });
    });

    it('skips instead when the action is skip, and lets transactional sends through', async () => {
      await expect(send(rt.deps, input({ quietHours: { ...quietHours, action: 'skip' } }))).resolves.toMatchObject({
        outcome: 'suppressed',
        reason: 'quiet-hours',
      });
      await expect(send(rt.deps, input({ quietHours, purpose: 'transactional' }))).resolves.toMatchObject({
        outcome: 'sent',
      });
    });

    it('falls back to the journey zone when the profile has none', async () => {
      const customerId = 'c-nozone';
      await putProfile(rt.table, { ...ana, customerId, timezone: undefined }, T0);
      // 03:30Z is 12:30 in Tokyo: outside the window there, inside it in New York.
      await expect(send(rt.deps, input({ customerId, quietHours, timezone: 'Asia/Tokyo' }))).resolves.toMatchObject({
        outcome: 'sent',
      });
    });
  });

  it('keeps the ledger keyed by message id, with the step pointer for messages.<step>.status', async () => {
    const i = input({ instance: 'i-pointer' });
    const out = (await send(rt.deps, i)) as { messageId: string };
    const ledger = await rt.table.get(keys.message(out.messageId), keys.single);
    expect(ledger).toMatchObject({ status: 'sent', instance: 'i-pointer', step: 'hello' });
    const pointer = await rt.table.get(keys.customer('c-ana'), keys.stepMessage('i-pointer', 'hello'));
    expect(pointer).toMatchObject({ messageId: out.messageId, status: 'sent', channel: 'email' });
  });

  it('keeps no step pointer when no step of the journey reads the message, unless the version is not the one deployed', async () => {
    const unread = (o: Partial<SendInput>) => input({ journey: 'unread', instance: 'i-unread', ...o });
    const first = unread({});
    const sent = (await send(rt.deps, first)) as { messageId: string };
    expect(await rt.table.get(keys.message(sent.messageId), keys.single)).toMatchObject({ status: 'sent' });
    expect(await rt.table.get(keys.customer('c-ana'), keys.stepMessage('i-unread', 'hello'))).toBeUndefined();
    // A retry finds the ledger settled and writes none either.
    await expect(send(rt.deps, first)).resolves.toMatchObject({ outcome: 'sent', messageId: sent.messageId });
    expect(await rt.table.queryAll(keys.customer('c-ana'), { prefix: keys.stepMessagePrefix('i-unread') })).toEqual([]);
    // An instance of an earlier version (its document is not here to say what it reads) keeps one.
    await send(rt.deps, unread({ instance: 'i-unread-v0', version: 0 }));
    expect(await rt.table.get(keys.customer('c-ana'), keys.stepMessage('i-unread-v0', 'hello'))).toMatchObject({
      status: 'sent',
    });
  });

  it('sends on the best channel: the one this customer engaged with most, else the preferred one', async () => {
    const customerId = 'c-best';
    await putProfile(rt.table, { ...ana, customerId, preferredChannel: 'email' }, T0);
    await expect(send(rt.deps, input({ customerId, instance: 'i-best-1', channels: ['best'] }))).resolves.toMatchObject(
      { channel: 'email' },
    );
    await recordEngagement(rt.table, customerId, 'sms', 10);
    await expect(send(rt.deps, input({ customerId, instance: 'i-best-2', channels: ['best'] }))).resolves.toMatchObject(
      { channel: 'sms' },
    );
  });

  describe('frequency cap', () => {
    const cap = { max: 2, perSeconds: 86_400, scope: 'customer' as const };

    it('never lets concurrent instances exceed the cap, and suppresses the rest with frequency-cap', async () => {
      const customerId = 'c-capped';
      await putProfile(rt.table, { ...ana, customerId, timezone: 'UTC' }, T0);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, n) =>
          send(rt.deps, input({ customerId, instance: `i-cap-${n}`, frequencyCap: cap })),
        ),
      );
      expect(results.filter((r) => r.outcome === 'sent')).toHaveLength(2);
      expect(results.filter((r) => r.outcome === 'suppressed' && r.reason === 'frequency-cap')).toHaveLength(6);
      expect(await outboxFor(customerId)).toHaveLength(2);
    });

    it('counts marketing sends of every journey toward a customer-scope cap, but not transactional ones', async () => {
      const customerId = 'c-capped-2';
      await putProfile(rt.table, { ...ana, customerId, timezone: 'UTC' }, T0);
      await send(rt.deps, input({ customerId, journey: 'simple', instance: 'i-a' }));
      await send(rt.deps, input({ customerId, instance: 'i-b', purpose: 'transactional' }));
      await expect(
        send(rt.deps, input({ customerId, instance: 'i-c', frequencyCap: { ...cap, max: 1 } })),
      ).resolves.toMatchObject({
        outcome: 'suppressed',
        reason: 'frequency-cap',
      });
      // The window rolls: a day later there is room again.
      clock.advanceTo(clock.now() + 86_400_001);
      await expect(
        send(rt.deps, input({ customerId, instance: 'i-d', frequencyCap: { ...cap, max: 1 } })),
      ).resolves.toMatchObject({ outcome: 'sent' });
    });
  });

  describe('timing best', () => {
    it('holds the message until the hour of the week the customer engages most, then sends it', async () => {
      const customerId = 'c-timing';
      await putProfile(rt.table, { ...ana, customerId, timezone: 'UTC' }, T0);
      // Engaged on a Tuesday at 18:xx UTC (hour of week 2*24+18).
      await recordEngagement(rt.table, customerId, 'email', 2 * 24 + 18);
      const now = Date.parse('2026-03-09T09:00:00Z'); // a Monday
      clock.advanceTo(now);
      const timing = { best: true as const, withinSeconds: 3 * 86_400 };
      const held = await send(rt.deps, input({ customerId, instance: 'i-t', timing }));
      expect(held).toEqual({ outcome: 'deferred', resumeAt: '2026-03-10T18:00:00.000Z', heldStep: 'hello' });
      clock.advanceTo(Date.parse('2026-03-10T18:00:00Z'));
      await expect(
        send(rt.deps, input({ customerId, instance: 'i-t', timing, heldUntil: '2026-03-10T18:00:00.000Z' })),
      ).resolves.toMatchObject({
        outcome: 'sent',
      });
    });

    it('holds at most `within`, and sends at once without history', async () => {
      const customerId = 'c-timing-2';
      await putProfile(rt.table, { ...ana, customerId, timezone: 'UTC' }, T0);
      await expect(
        send(rt.deps, input({ customerId, instance: 'i-u', timing: { best: true, withinSeconds: 3600 } })),
      ).resolves.toMatchObject({ outcome: 'sent' });
      await recordEngagement(rt.table, customerId, 'email', 0);
      const now = clock.now();
      const held = await send(
        rt.deps,
        input({ customerId, instance: 'i-v', timing: { best: true, withinSeconds: 3600 } }),
      );
      expect(held).toEqual({
        outcome: 'deferred',
        resumeAt: new Date(now + 3_600_000).toISOString(),
        heldStep: 'hello',
      });
    });
  });
});
