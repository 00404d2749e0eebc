/**
 * An event finds the instances it may stop through their live markers: one per running instance,
 * written at entry and removed when the instance ends, so the read does not grow with the
 * customer's past instances.
 */
import type { Envelope } from '../../lib/core/envelope';
import { liveInstances } from '../../lib/core/instances';
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
