/**
 * Channel effectiveness (SPEC §7) from feedback events: per channel × trigger event type and per
 * channel × the customer's local hour of the week at send time — sent, delivered, engaged, rate —
 * and per send step delivered, engaged and failed; each message counts once per kind, whatever
 * feedback repeats, arrives out of order or twice.
 */
import { ingest } from '../../lib/core/ingest';
import type { TimelineEntry } from '../../lib/core/timeline';
import { VirtualClock } from '../../lib/engine/clock';
import { type LocalRuntime, startLocalRuntime } from '../../lib/local/runtime';
import { channelEffectiveness } from '../../lib/results/channels';
import { journeyResults } from '../../lib/results/journey-results';
import { putProfile } from '../../lib/store/profiles';
import { customer, event, journeyOf } from './run';

const T0 = Date.parse('2026-11-20T15:00:00Z'); // a Friday: 10:00 in New York, Saturday 00:00 in Tokyo
const NEW_YORK_FRIDAY_10H = 5 * 24 + 10;
const TOKYO_SATURDAY_0H = 6 * 24;

const cart = journeyOf({
  id: 'cart',
  trigger: { event: 'checkout.abandoned' },
  start: 'nudge',
  steps: {
    nudge: { type: 'send', channel: 'email', template: 't', purpose: 'transactional', next: 'done' },
    done: { type: 'end' },
  },
});
const welcome = journeyOf({
  id: 'welcome',
  trigger: { event: 'account.created' },
  start: 'hello',
  steps: {
    hello: { type: 'send', channel: 'sms', template: 't', purpose: 'transactional', next: 'done' },
    done: { type: 'end' },
  },
});

let rt: LocalRuntime;
const lines: TimelineEntry[] = [];
const clock = new VirtualClock(T0);

beforeAll(async () => {
  rt = await startLocalRuntime({ journeys: [cart, welcome], clock, onTimeline: (e) => lines.push(e) });
  const people = [
    ...['ny-1', 'ny-2', 'ny-3'].map((c) => customer(c, 'America/New_York')),
    ...['tk-1', 'tk-2'].map((c) => customer(c, 'Asia/Tokyo')),
  ];
  for (const p of people) await putProfile(rt.table, p, T0);
  for (const p of people) {
    await ingest(rt.deps, event('checkout.abandoned', p.customerId, T0));
    await ingest(rt.deps, event('account.created', p.customerId, T0));
  }
  await rt.engine.idle();
  const sent = (journey: string, c: string) =>
    lines.find((l) => l.kind === 'sent' && l.journey === journey && l.customerId === c)?.messageId as string;
  const feedback = (status: string, journey: string, c: string, id?: string) =>
    ingest(rt.deps, event(`message.${status}`, c, T0 + 60_000, { messageId: sent(journey, c) }, id));
  // ny-1's email: delivered (twice over, once redelivered), opened, clicked: delivered once, engaged once.
  await feedback('delivered', 'cart', 'ny-1', 'fb-1');
  await feedback('delivered', 'cart', 'ny-1', 'fb-1');
  await feedback('delivered', 'cart', 'ny-1');
  await feedback('opened', 'cart', 'ny-1');
  await feedback('clicked', 'cart', 'ny-1');
  // ny-2's email: opened with no delivery receipt (it was delivered); then a late delivery receipt.
  await feedback('opened', 'cart', 'ny-2');
  await feedback('delivered', 'cart', 'ny-2');
  // ny-3's email bounced.
  await feedback('bounced', 'cart', 'ny-3');
  // tk-1's sms: delivered and replied; tk-2's: delivered.
  await feedback('delivered', 'welcome', 'tk-1');
  await feedback('replied', 'welcome', 'tk-1');
  await feedback('delivered', 'welcome', 'tk-2');
  // Feedback on a message of another customer counts nothing.
  await ingest(rt.deps, event('message.opened', 'tk-2', T0 + 60_000, { messageId: sent('cart', 'ny-3') }));
});
afterAll(() => rt.close());

it('compares the channels by trigger event type, and by the local hour of the week at send time', async () => {
  const e = await channelEffectiveness(rt.table, {});
  expect(e.channels).toEqual([
    { channel: 'email', event: 'checkout.abandoned', sent: 5, delivered: 2, engaged: 2, rate: 2 / 5 },
    { channel: 'sms', event: 'account.created', sent: 5, delivered: 2, engaged: 1, rate: 1 / 5 },
  ]);
  expect(e.hours).toEqual([
    { channel: 'email', hourOfWeek: NEW_YORK_FRIDAY_10H, sent: 3, delivered: 2, engaged: 2, rate: 2 / 3 },
    { channel: 'email', hourOfWeek: TOKYO_SATURDAY_0H, sent: 2, delivered: 0, engaged: 0, rate: 0 },
    { channel: 'sms', hourOfWeek: NEW_YORK_FRIDAY_10H, sent: 3, delivered: 0, engaged: 0, rate: 0 },
    { channel: 'sms', hourOfWeek: TOKYO_SATURDAY_0H, sent: 2, delivered: 2, engaged: 1, rate: 1 / 2 },
  ]);
});

it('narrows to one trigger event type, and to a range of days', async () => {
  const cartOnly = await channelEffectiveness(rt.table, {}, 'checkout.abandoned');
  expect(cartOnly.channels.map((c) => [c.channel, c.event, c.sent])).toEqual([['email', 'checkout.abandoned', 5]]);
  expect(cartOnly.hours.every((h) => h.channel === 'email')).toBe(true);
  expect(await channelEffectiveness(rt.table, { from: '2026-11-21' })).toEqual({ channels: [], hours: [] });
  expect((await channelEffectiveness(rt.table, { from: '2026-11-20', to: '2026-11-20' })).channels).toHaveLength(2);
});

it("counts each send step's delivered, engaged and failed messages", async () => {
  const r = await journeyResults(rt.deps, 'cart', 1, {}, cart.journey);
  expect(r.steps.nudge).toEqual({
    visits: 5,
    sent: { email: 5 },
    suppressed: {},
    delivered: 2,
    engaged: 2,
    failed: 1,
  });
  expect((await journeyResults(rt.deps, 'welcome', 1, {}, welcome.journey)).steps.hello).toMatchObject({
    delivered: 2,
    engaged: 1,
    failed: 0,
  });
});
