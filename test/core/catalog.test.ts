/**
 * The journey catalog answers what every event asks of it (which journeys an event type starts,
 * the session timeouts touchpoints are kept under) from values it derives once; publishing a
 * journey, or a new version of one, must show in the next answer.
 */
import { type CatalogEntry, JourneyCatalog } from '../../lib/core/catalog';
import { sessionTimeoutsOf } from '../../lib/core/sessions';
import { DEFAULT_SESSION_TIMEOUT_SECONDS } from '../../lib/journey/escalation-rules';
import type { Journey } from '../../lib/journey/schema';

function entry(id: string, version: number, trigger: string, sessionTimeout?: string): CatalogEntry {
  const journey = {
    id,
    name: id,
    trigger: { event: trigger },
    ...(sessionTimeout ? { settings: { sessionTimeout } } : {}),
  } as unknown as Journey;
  return { journey, stateMachineArn: `arn:aws:states:local:0:stateMachine:baton-${id}:${version}`, templatesDir: '' };
}

describe('the journey catalog', () => {
  it('answers which journeys an event type starts, and follows a journey published after', () => {
    const catalog = new JourneyCatalog([entry('cart', 1, 'checkout.abandoned')]);
    expect(catalog.triggeredBy('checkout.abandoned').map((e) => e.journey.id)).toEqual(['cart']);
    expect(catalog.triggeredBy('order.placed')).toEqual([]);

    catalog.set(entry('thanks', 1, 'order.placed'));
    expect(catalog.triggeredBy('order.placed').map((e) => e.journey.id)).toEqual(['thanks']);
    // A new version of cart, now started by another event: the old trigger no longer starts it.
    catalog.set(entry('cart', 2, 'cart.emptied'));
    expect(catalog.triggeredBy('checkout.abandoned')).toEqual([]);
    expect(catalog.triggeredBy('cart.emptied').map((e) => e.stateMachineArn)).toEqual([
      'arn:aws:states:local:0:stateMachine:baton-cart:2',
    ]);
  });

  it('derives the session timeouts once, and again when a journey with another timeout is published', () => {
    const catalog = new JourneyCatalog([entry('cart', 1, 'checkout.abandoned')]);
    let computed = 0;
    const timeouts = () =>
      catalog.derived('sessionTimeouts', (journeys) => {
        computed++;
        return sessionTimeoutsOf(journeys);
      });
    expect(timeouts()).toEqual([DEFAULT_SESSION_TIMEOUT_SECONDS]);
    expect(timeouts()).toEqual([DEFAULT_SESSION_TIMEOUT_SECONDS]);
    expect(computed).toBe(1);

    catalog.set(entry('desk', 1, 'call.started', 'PT10M'));
    expect(timeouts()).toEqual([600, DEFAULT_SESSION_TIMEOUT_SECONDS].sort((a, b) => a - b));
    expect(computed).toBe(2);
  });
});
