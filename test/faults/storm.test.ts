/**
 * Event storms through the real ingest path (the HTTP router's POST /events, one request per
 * event, all in flight at once): however many copies of a trigger arrive together, the customer
 * enters once, gets one message and exits once.
 */
import { listOutbox } from '../../lib/channels/outbox';
import type { Envelope } from '../../lib/core/envelope';
import type { TimelineEntry } from '../../lib/core/timeline';
import { VirtualClock } from '../../lib/engine/clock';
import { type LocalRuntime, startLocalRuntime } from '../../lib/local/runtime';
import { route } from '../../lib/server/routes';
import { keys } from '../../lib/store/keys';
import { putProfile } from '../../lib/store/profiles';
import { advanceTo, helloJourney } from '../helpers';

const STORM = 1_000;
const T0 = Date.parse('2026-11-20T18:00:00Z');
const HOUR = 3_600_000;

/** Send an email at once, then stay active for a day: a second entry while it waits would show. */
function stormJourney(overrides: Record<string, unknown> = {}) {
  return helloJourney({
    id: 'storm',
    trigger: { event: 'checkout.abandoned', dedupeBy: ['trigger.data.cartId'] },
    entry: { concurrent: 'single' },
    start: 'hello',
    steps: {
      hello: { type: 'send', channel: 'email', template: 'hello', next: 'linger' },
      linger: { type: 'wait', for: 'P1D', next: 'done' },
      done: { type: 'end' },
    },
    ...overrides,
  });
}

let rt: LocalRuntime;
let clock: VirtualClock;

beforeEach(async () => {
  clock = new VirtualClock(T0);
  // Several executions at once, as `baton dev` runs them: the storm races the running instance.
  rt = await startLocalRuntime({ journeys: [stormJourney()], clock, concurrency: 8 });
});
afterEach(async () => {
  await rt.close();
});

async function customer(customerId: string) {
  await putProfile(
    rt.table,
    {
      customerId,
      email: `${customerId}@example.com`,
      consent: { email: 'opted_in' },
      attributes: { firstName: 'Ana' },
    },
    T0,
  );
}

function event(id: string, customerId: string, cartId: string): Envelope {
  return {
    id,
    type: 'checkout.abandoned',
    customerId,
    channel: 'web',
    time: new Date(T0).toISOString(),
    data: { cartId, value: 120 },
  };
}

/** POST /events through the router, every request in flight at once; returns each entry's status. */
async function storm(events: Envelope[]): Promise<string[]> {
  const responses = await Promise.all(
    events.map((e) => {
      const request = {
        method: 'POST',
        path: '/events',
        query: new URLSearchParams(),
        body: JSON.stringify(e),
        contentType: 'application/json',
      };
      return route(rt.deps, request, { local: true });
    }),
  );
  return responses.map((r) => {
    expect(r.status).toBe(200);
    const body = r.body as { results: { status: string }[] };
    return body.results[0].status;
  });
}

async function timeline(customerId: string): Promise<TimelineEntry[]> {
  const items = await rt.table.queryAll(keys.customer(customerId), { prefix: keys.timelinePrefix });
  return items.map((i) => i.entry as TimelineEntry);
}

async function instances(customerId: string) {
  return rt.table.queryAll(keys.customer(customerId), { prefix: keys.instancePrefix });
}

const count = (lines: TimelineEntry[], kind: TimelineEntry['kind']) => lines.filter((l) => l.kind === kind);

describe('a storm of triggers', () => {
  it(`${STORM} copies of one event (same id) at once: one instance, one message, one exit`, async () => {
    await customer('c-ana');
    const statuses = await storm(Array.from({ length: STORM }, () => event('evt-1', 'c-ana', 'k-1')));
    // Every copy is answered; each is either the one that counted or a duplicate of it.
    expect(statuses.every((s) => s === 'accepted' || s === 'duplicate')).toBe(true);
    expect(statuses).toContain('accepted');
    await rt.engine.idle();
    await advanceTo(rt.engine, clock, T0 + 2 * 24 * HOUR);
    await rt.engine.idle();

    const lines = await timeline('c-ana');
    expect(count(lines, 'entered')).toHaveLength(1);
    expect(count(lines, 'ignored')).toHaveLength(0);
    expect(count(lines, 'sent')).toHaveLength(1);
    expect(count(lines, 'exited')).toEqual([expect.objectContaining({ reason: 'completed' })]);
    expect(new Set(lines.map((l) => l.instance)).size).toBe(1);
    const outbox = await listOutbox(rt.table, { customerId: 'c-ana', limit: STORM });
    expect(outbox).toHaveLength(1);
    expect(outbox[0].messageId).toBe(count(lines, 'sent')[0].messageId);
    const recorded = await instances('c-ana');
    expect(recorded).toEqual([expect.objectContaining({ status: 'ended', reason: 'completed' })]);
    // And it is over for good: one more copy after the run is a duplicate that changes nothing.
    expect(await storm([event('evt-1', 'c-ana', 'k-1')])).toEqual(['duplicate']);
    expect(await timeline('c-ana')).toHaveLength(lines.length);
  });

  it(`${STORM} distinct events with one dedupe key at once: one instance, one message`, async () => {
    await customer('c-ben');
    const statuses = await storm(Array.from({ length: STORM }, (_, i) => event(`evt-${i}`, 'c-ben', 'k-1')));
    // Distinct ids: each event counts once, and all of them name the same instance.
    expect(statuses.every((s) => s === 'accepted')).toBe(true);
    await rt.engine.idle();

    const waiting = await timeline('c-ben');
    expect(count(waiting, 'entered')).toHaveLength(1);
    expect(count(waiting, 'sent')).toHaveLength(1);
    expect(count(waiting, 'exited')).toHaveLength(0);
    await advanceTo(rt.engine, clock, T0 + 2 * 24 * HOUR);
    await rt.engine.idle();

    const lines = await timeline('c-ben');
    expect(count(lines, 'entered')).toHaveLength(1);
    expect(count(lines, 'sent')).toHaveLength(1);
    expect(count(lines, 'exited')).toHaveLength(1);
    expect(new Set(lines.map((l) => l.instance)).size).toBe(1);
    expect(await listOutbox(rt.table, { customerId: 'c-ben', limit: STORM })).toHaveLength(1);
    expect(await instances('c-ben')).toHaveLength(1);
  });

  it(`${STORM} distinct events with distinct dedupe keys, concurrent single: one enters, every other says why not`, async () => {
    await customer('c-cleo');
    const statuses = await storm(Array.from({ length: STORM }, (_, i) => event(`evt-${i}`, 'c-cleo', `k-${i}`)));
    expect(statuses.every((s) => s === 'accepted')).toBe(true);
    await rt.engine.idle();
    await advanceTo(rt.engine, clock, T0 + 2 * 24 * HOUR);
    await rt.engine.idle();

    const lines = await timeline('c-cleo');
    const entered = count(lines, 'entered');
    expect(entered).toHaveLength(1);
    // Ignored triggers always say so: one line each, all while the one instance was active.
    const ignored = count(lines, 'ignored');
    expect(ignored).toHaveLength(STORM - 1);
    expect(ignored.every((l) => l.reason === 'already-active')).toBe(true);
    expect(count(lines, 'sent')).toEqual([expect.objectContaining({ instance: entered[0].instance })]);
    expect(count(lines, 'exited')).toEqual([expect.objectContaining({ instance: entered[0].instance })]);
    expect(await listOutbox(rt.table, { customerId: 'c-cleo', limit: STORM })).toHaveLength(1);
    expect(await instances('c-cleo')).toHaveLength(1);
    // The lock was released with the exit: the next trigger enters.
    expect(await storm([event('evt-after', 'c-cleo', 'k-after')])).toEqual(['accepted']);
    await rt.engine.idle();
    expect(count(await timeline('c-cleo'), 'entered')).toHaveLength(2);
  });
});
