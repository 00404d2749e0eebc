/** Timeline lines become Baton's CloudWatch metrics with the dimensions the dashboard charts. */
import { metricOf } from '../../lib/aws/metrics';
import type { TimelineEntry } from '../../lib/core/timeline';

const line = (over: Partial<TimelineEntry>): TimelineEntry => ({
  at: '2026-11-20T15:00:00.000Z',
  kind: 'entered',
  journey: 'cart-recovery',
  version: 1,
  customerId: 'c-1',
  instance: 'i-1',
  ...over,
});

test.each<[Partial<TimelineEntry>, ReturnType<typeof metricOf>]>([
  [{ kind: 'entered' }, { name: 'Entered', dimensions: { journey: 'cart-recovery' } }],
  [
    { kind: 'ignored', reason: 'cooldown' },
    { name: 'Ignored', dimensions: { journey: 'cart-recovery', reason: 'cooldown' } },
  ],
  [
    { kind: 'sent', channel: 'sms' },
    { name: 'Sent', dimensions: { channel: 'sms' } },
  ],
  [
    { kind: 'suppressed', reason: 'quiet-hours' },
    { name: 'Suppressed', dimensions: { reason: 'quiet-hours' } },
  ],
  [
    { kind: 'exited', reason: 'goal' },
    { name: 'Exited', dimensions: { journey: 'cart-recovery', reason: 'goal' } },
  ],
  [{ kind: 'escalated' }, { name: 'Escalations', dimensions: { journey: 'cart-recovery' } }],
  [{ kind: 'note', reason: 'until-passed' }, undefined],
])('%j', (over, want) => {
  expect(metricOf(line(over))).toEqual(want);
});

test('no customer id, address or message id becomes a dimension', () => {
  const m = metricOf(line({ kind: 'sent', channel: 'email', messageId: 'm-1' }));
  expect(JSON.stringify(m)).not.toMatch(/c-1|m-1|i-1/);
});
