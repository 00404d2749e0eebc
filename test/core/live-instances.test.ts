/**
 * An event finds the instances it may stop through their live markers: one per running instance,
 * written at entry and removed when the instance ends, so the read does not grow with the
 * customer's past instances.
 */
import type { Envelope } from '../../lib/core/envelope';
import { ingest } from '../../lib/core/ingest';
import { endInstance, liveInstances } from '../../lib/core/instances';
import { VirtualClock } from '../../lib/engine/clock';
import { startLocalRuntime } from '../../lib/local/runtime';
import { simulate } from '../../lib/local/simulate';
import { helloJourney } from '../helpers';

const journey = helloJourney({
  id: 'cart',
  trigger: { event: 'checkout.abandoned', dedupeBy: ['trigger.data.cartId'] },
  entry: { concurrent: 'multiple' },
  goal: { event: 'order.placed', match: { cartId: 'trigger.data.cartId' } },
  start: 'wait',
  steps: {
    wait: { type: 'wait', for: 'PT1H', next: 'hello' },
    hello: { type: 'send', channel: 'email', template: 'hello', next: 'done' },
    done: { type: 'end' },
  },
});

const event = (id: string, type: string, cartId: string, time: string): Envelope => ({
  id,
  type,
  customerId: 'c-1',
  channel: 'web',
  time,
  data: { cartId },
});

it('keeps one live marker per running instance, and none once it ended', async () => {
  // Ten carts complete (the hour passes), then two more are abandoned and one of them is ordered.
  const events = [
    ...Array.from({ length: 10 }, (_, i) => event(`a-${i}`, 'checkout.abandoned', `k-${i}`, '2026-11-20T10:00:00Z')),
    event('a-10', 'checkout.abandoned', 'k-10', '2026-11-20T12:00:00Z'),
    event('a-11', 'checkout.abandoned', 'k-11', '2026-11-20T12:00:00Z'),
    event('o-11', 'order.placed', 'k-11', '2026-11-20T12:10:00Z'),
  ];
  let live: string[] = [];
  const { lines } = await simulate({
    journeys: [journey],
    events,
    profiles: [{ customerId: 'c-1', email: 'c-1@example.com', consent: { email: 'opted_in' } }],
    until: Date.parse('2026-11-20T12:30:00Z'),
    inspect: async (rt) => {
      live = (await liveInstances(rt.deps, 'c-1')).map((i) => i.instance);
    },
  });
  const exits = lines.filter((l) => l.kind === 'exited');
  expect(exits.filter((l) => l.reason === 'completed')).toHaveLength(10);
  expect(exits.filter((l) => l.reason === 'goal')).toHaveLength(1);
  // Only the cart still waiting is live: the ten completed and the ordered one left no marker.
  const waiting = lines.filter((l) => l.kind === 'entered' && !exits.some((x) => x.instance === l.instance));
  expect(waiting).toHaveLength(1);
  expect(live).toEqual([waiting[0].instance]);
});

describe('an instance that no event can stop (no goal, no exitOn)', () => {
  const waiting = helloJourney({
    id: 'plain',
    start: 'wait',
    steps: {
      wait: { type: 'wait', for: 'PT1H', next: 'hello' },
      hello: { type: 'send', channel: 'email', template: 'hello', next: 'done' },
      done: { type: 'end' },
    },
  });

  it('is never marked live: no write at entry, none at its end', async () => {
    const writes: string[] = [];
    let marks: unknown[] = [];
    const { lines } = await simulate({
      journeys: [waiting],
      events: [event('x-1', 'x.happened', 'k-1', '2026-11-20T10:00:00Z')],
      profiles: [{ customerId: 'c-1', email: 'c-1@example.com', consent: { email: 'opted_in' } }],
      until: Date.parse('2026-11-20T10:30:00Z'),
      inspect: async (rt) => {
        marks = await rt.table.queryAll('C#c-1', { prefix: 'IL#' });
        const record = (await rt.table.queryAll('C#c-1', { prefix: 'I#' }))[0];
        expect(record).toMatchObject({ status: 'active', stops: [], liveMark: false });
        // Its end (here, by hand) deletes no live mark either.
        const del = jest.spyOn(rt.table, 'delete').mockImplementation(async (pk, sk) => {
          writes.push(`${pk} ${sk}`);
          return true;
        });
        expect(await endInstance(rt.deps, 'c-1', 'plain', record.instance as string, 'completed')).toBe(true);
        del.mockRestore();
      },
    });
    expect(lines.map((l) => l.kind)).toEqual(['entered', 'exited']);
    expect(marks).toEqual([]);
    expect(writes.filter((w) => w.includes('IL#'))).toEqual([]);
  });

  it('still has its mark removed at the end when its record is from before marks were decided per instance', async () => {
    const rt = await startLocalRuntime({
      journeys: [waiting],
      clock: new VirtualClock(Date.parse('2026-11-20T10:00:00Z')),
    });
    try {
      // Written by the previous release: every instance was marked, and its record says nothing of it.
      await rt.table.put({
        pk: 'C#c-1',
        sk: 'I#plain#i-old',
        journey: 'plain',
        version: 1,
        instance: 'i-old',
        status: 'active',
        stops: [],
      });
      await rt.table.put({ pk: 'C#c-1', sk: 'IL#plain#i-old', journey: 'plain', instance: 'i-old', stops: [] });
      expect(await endInstance(rt.deps, 'c-1', 'plain', 'i-old', 'completed')).toBe(true);
      expect(await liveInstances(rt.deps, 'c-1')).toEqual([]);
    } finally {
      await rt.close();
    }
  });
});

describe('the active lock at the end of an instance', () => {
  const ending = (concurrent: 'single' | 'multiple') =>
    helloJourney({
      id: `lock-${concurrent}`,
      entry: { concurrent },
      start: 'wait',
      steps: {
        wait: { type: 'wait', for: 'PT1H', next: 'done' },
        done: { type: 'end' },
      },
    });

  /** The deletes of the A# lock that ending the customer's one instance makes, with what the lock was then. */
  async function lockDeletes(concurrent: 'single' | 'multiple', options: { fromBefore?: boolean } = {}) {
    const journey = ending(concurrent);
    const rt = await startLocalRuntime({
      journeys: [journey],
      clock: new VirtualClock(Date.parse('2026-11-20T10:00:00Z')),
    });
    try {
      await ingest(rt.deps, event('x-1', 'x.happened', 'k-1', '2026-11-20T10:00:00Z'));
      await rt.engine.idle();
      const record = (await rt.table.queryAll('C#c-1', { prefix: 'I#' }))[0];
      // A record the previous release wrote says nothing of the lock: its end releases it, as then.
      if (options.fromBefore) await rt.table.update('C#c-1', record.sk as string, { remove: ['locked'] });
      const deletes: string[] = [];
      const del = jest.spyOn(rt.table, 'delete').mockImplementation(async (_pk, sk) => {
        deletes.push(sk);
        return true;
      });
      await endInstance(rt.deps, 'c-1', journey.journey.id, record.instance as string, 'completed');
      del.mockRestore();
      return { locked: record.locked, deletes: deletes.filter((sk) => sk.startsWith('A#')) };
    } finally {
      await rt.close();
    }
  }

  it('is released by an instance of a concurrent: single journey', async () => {
    expect(await lockDeletes('single')).toEqual({ locked: true, deletes: ['A#lock-single'] });
  });

  it('is not touched by an instance of a concurrent: multiple journey, which took none', async () => {
    expect(await lockDeletes('multiple')).toEqual({ locked: false, deletes: [] });
  });

  it('is released by an instance whose record is from before the record said whether it took one', async () => {
    expect(await lockDeletes('multiple', { fromBefore: true })).toEqual({
      locked: false,
      deletes: ['A#lock-multiple'],
    });
  });
});
