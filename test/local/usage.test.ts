/**
 * What simulate counts for cost figures: executions and states entered by the engine, events
 * ingested, and the use cases' store requests per journey (profile loading and the engine's own
 * checkpoints not included).
 */
import type { Envelope } from '../../lib/core/envelope';
import type { Profile } from '../../lib/core/profile';
import { simulate } from '../../lib/local/simulate';
import { helloJourney } from '../helpers';

const journey = helloJourney();
const customer = (i: number): { event: Envelope; profile: Profile } => ({
  event: { id: `e-${i}`, type: 'x.happened', customerId: `c-${i}`, channel: 'web', time: '2026-11-20T15:00:00Z' },
  profile: { customerId: `c-${i}`, email: `c-${i}@example.com`, consent: { email: 'opted_in' } },
});
const run = (n: number) => {
  const cs = Array.from({ length: n }, (_, i) => customer(i));
  return simulate({ journeys: [journey], events: cs.map((c) => c.event), profiles: cs.map((c) => c.profile) });
};

it('counts states entered, events and store requests per journey', async () => {
  const one = await run(1);
  expect(one.usage.engine.executions).toBe(1);
  expect(Object.fromEntries(one.usage.engine.entered)).toEqual({ hello: 1, done: 1 });
  expect(one.usage.engine.executions + one.usage.engine.transitions).toBe(2);
  expect(one.usage.ingested).toBe(1);
  expect(one.usage.store.writes).toBeGreaterThan(0);
  // Per journey, whatever the number of customers (or profiles loaded first).
  const three = await run(3);
  expect(three.usage.store).toEqual({ reads: 3 * one.usage.store.reads, writes: 3 * one.usage.store.writes });
});
