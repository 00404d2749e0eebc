/**
 * The customer routes of SPEC §5 on the local server: the hand-off context the next channel reads,
 * the paginated timeline, and erasure that stops instances and leaves nothing behind.
 */
import { listDispatches } from '../../lib/channels/dispatch-log';
import { listOutbox } from '../../lib/channels/outbox';
import { VirtualClock } from '../../lib/engine/clock';
import type { LocalRuntime } from '../../lib/local/runtime';
import { keys } from '../../lib/store/keys';
import { advanceTo, loadValid, serveLocally } from '../helpers';

const T0 = Date.parse('2026-11-20T15:00:00Z');
let rt: LocalRuntime;
let clock: VirtualClock;
let base: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  clock = new VirtualClock(T0);
  ({ rt, base, stop } = await serveLocally(
    [loadValid('workflows/support-case.json'), loadValid('workflows/cart-recovery.json')],
    clock,
    1,
  ));
});
afterAll(() => stop());

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // Accepted events are processed behind the answer: wait for them and what they start.
  await rt.processed();
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
function event(id: string, type: string, channel: string, minutes: number, data: Record<string, unknown> = {}) {
  return { id, type, customerId: 'c-kim', channel, time: at(minutes), sessionId: 'sess-9', data };
}
const advance = (minutes: number) => advanceTo(rt.engine, clock, T0 + minutes * 60_000);

describe('a customer across web, chat and phone', () => {
  it('serves the hand-off context the phone team prefills: session, hops, elapsed time and carried fields', async () => {
    await call('PUT', '/customers/c-kim/profile', {
      email: 'kim@example.com',
      phone: '+15550009999',
      locale: 'en-US',
      consent: { email: 'opted_in', sms: 'opted_in' },
      attributes: { firstName: 'Kim' },
    });
    await call(
      'POST',
      '/events',
      event('k-1', 'case.opened', 'web', 0, { caseId: 'case-7', orderId: 'o-42', reason: 'late delivery' }),
    );
    await call('POST', '/events', event('k-2', 'chat.message', 'chat', 3));
    clock.advanceTo(T0 + 5 * 60_000);
    await call('POST', '/events', event('k-3', 'call.started', 'phone', 5));
    const ctx = await call('GET', '/customers/c-kim/context');
    expect(ctx.body).toMatchObject({
      customerId: 'c-kim',
      session: {
        sessionId: 'sess-9',
        channels: ['web', 'chat', 'phone'],
        hops: ['web', 'chat', 'phone'],
        touchpoints: 3,
        elapsedSeconds: 300,
      },
      carried: { caseId: 'case-7', orderId: 'o-42', reason: 'late delivery', openedOn: 'web' },
      handoffs: [{ to: 'phone', reason: 'callback requested', journey: 'support-case', step: 'offer-callback' }],
    });
  });

  it('pages the timeline newest first with a cursor', async () => {
    const first = await call('GET', '/customers/c-kim/timeline?limit=2');
    const entries = first.body.entries as { kind: string; at: string }[];
    expect(entries).toHaveLength(2);
    expect(Date.parse(entries[0].at)).toBeGreaterThanOrEqual(Date.parse(entries[1].at));
    const rest = await call('GET', `/customers/c-kim/timeline?limit=50&cursor=${first.body.next}`);
    const all = [...entries, ...(rest.body.entries as { kind: string }[])].map((e) => e.kind);
    expect(all.slice().reverse()).toEqual(['entered', 'sent', 'escalated', 'handoff', 'action', 'sent']);
    expect(rest.body.next).toBeUndefined();
    expect((await call('GET', '/customers/c-kim/timeline?cursor=garbage')).status).toBe(400);
  });

  it('erases the customer: stops running instances, deletes their data, and later events start anew', async () => {
    await call('POST', '/events', {
      id: 'k-4',
      type: 'checkout.abandoned',
      customerId: 'c-kim',
      channel: 'web',
      time: at(6),
      data: { cartId: 'cart-1', value: 80 },
    });
    const erased = await call('DELETE', '/customers/c-kim');
    expect(erased.body).toMatchObject({ erased: true, stopped: 2 });
    await advance(3 * 24 * 60);
    const left = await rt.table.queryAll(keys.customer('c-kim'));
    expect(left.map((i) => i.sk)).toEqual([keys.erasures]);
    expect(await listOutbox(rt.table, { customerId: 'c-kim' })).toEqual([]);
    expect(await listDispatches(rt.table, { customerId: 'c-kim' })).toEqual([]);
    expect((await call('GET', '/customers/c-kim/profile')).status).toBe(404);
    // The same cart again: a new instance, not a duplicate of the erased one.
    const again = await call('POST', '/events', {
      id: 'k-5',
      type: 'checkout.abandoned',
      customerId: 'c-kim',
      channel: 'web',
      time: new Date(clock.now()).toISOString(),
      data: { cartId: 'cart-1', value: 80 },
    });
    expect(again.body.results).toEqual([{ id: 'k-5', status: 'accepted' }]);
    const timeline = await call('GET', '/customers/c-kim/timeline');
    expect((timeline.body.entries as { kind: string }[]).map((e) => e.kind)).toEqual(['entered']);
  });
});
