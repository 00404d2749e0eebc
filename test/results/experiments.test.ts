/**
 * Experiments (SPEC §7): per split path entered, converted, the rate with Wilson's 95% interval,
 * and each path's uplift over the holdout with Newcombe's interval — from the counters of a run.
 */
import { newcombe, wilson } from '../../lib/results/stats';
import { customer, DAY, event, HOUR, journeyOf, run } from './run';

const T0 = Date.parse('2026-11-20T10:00:00Z');

const experiment = journeyOf({
  id: 'welcome-test',
  trigger: { event: 'account.created' },
  goal: { event: 'order.placed', within: 'P14D' },
  settings: { timezone: 'UTC', maxDuration: 'P3D' },
  start: 'split',
  steps: {
    split: {
      type: 'split',
      paths: [
        { weight: 2, next: 'a' },
        { weight: 2, next: 'b' },
        { weight: 1, exit: 'holdout' },
      ],
    },
    a: { type: 'send', channel: 'email', template: 't', purpose: 'transactional', next: 'wait' },
    b: { type: 'send', channel: 'sms', template: 't', purpose: 'transactional', next: 'wait' },
    wait: { type: 'wait', for: 'P2D', next: 'split-again' },
    // Back to the split once: an instance enters its path once, whatever the loop.
    'split-again': {
      type: 'branch',
      cases: [{ if: { path: 'trigger.data.loop', eq: true }, next: 'split' }],
      default: 'done',
    },
    done: { type: 'end' },
  },
});

it('gives each path its entries, conversions, rate with its 95% interval, and uplift over the holdout', async () => {
  const ids = Array.from({ length: 150 }, (_, i) => `c-${i}`);
  // Whoever got the email buys more often than whoever got the sms; the holdout, now and then.
  const events = ids.map((c, i) => event('account.created', c, T0 + i * 60_000, { loop: i % 10 === 3 }));
  const first = await run(
    [experiment],
    events,
    ids.map((c) => customer(c)),
  );
  const pathOf = new Map<string, string>();
  for (const l of first.lines) {
    if (l.kind === 'sent' && l.step) pathOf.set(l.customerId, l.step);
    if (l.kind === 'exited' && l.reason === 'holdout') pathOf.set(l.customerId, 'holdout');
  }
  const buyers = ids.filter((c, i) =>
    pathOf.get(c) === 'a' ? i % 2 === 0 : pathOf.get(c) === 'b' ? i % 5 === 0 : i % 7 === 0,
  );
  const { lines, report } = await run(
    [experiment],
    [...events, ...buyers.map((c) => event('order.placed', c, T0 + DAY + HOUR))],
    ids.map((c) => customer(c)),
  );
  // The same instances take the same paths in the second run (the path is a hash of the instance).
  const again = new Map(lines.filter((l) => l.kind === 'sent').map((l) => [l.customerId, l.step]));
  for (const [c, step] of again) expect(pathOf.get(c)).toBe(step);

  const counts = (p: string) => ({
    n: ids.filter((c) => pathOf.get(c) === p).length,
    x: buyers.filter((c) => pathOf.get(c) === p).length,
  });
  const [a, b, h] = [counts('a'), counts('b'), counts('holdout')];
  expect(a.n + b.n + h.n).toBe(150);
  expect(Math.min(a.n, b.n, h.n)).toBeGreaterThan(15);
  const paths = report.journeys['welcome-test'].splits.split;
  expect(paths).toEqual([
    {
      path: 0,
      next: 'a',
      entered: a.n,
      converted: a.x,
      rate: a.x / a.n,
      ci95: wilson(a.x, a.n),
      uplift: { rate: a.x / a.n - h.x / h.n, ci95: newcombe(a.x, a.n, h.x, h.n) },
    },
    {
      path: 1,
      next: 'b',
      entered: b.n,
      converted: b.x,
      rate: b.x / b.n,
      ci95: wilson(b.x, b.n),
      uplift: { rate: b.x / b.n - h.x / h.n, ci95: newcombe(b.x, b.n, h.x, h.n) },
    },
    { path: 2, exit: 'holdout', entered: h.n, converted: h.x, rate: h.x / h.n, ci95: wilson(h.x, h.n) },
  ]);
  // Instances that loop back (and did not buy in the meantime) visit the split twice: two visits, one entry.
  const loopers = ids.filter((c, i) => i % 10 === 3 && pathOf.get(c) !== 'holdout' && !buyers.includes(c));
  expect(loopers.length).toBeGreaterThan(3);
  expect(report.journeys['welcome-test'].steps.split.visits).toBe(150 + loopers.length);
  expect(report.journeys['welcome-test'].exited.timeout).toBe(loopers.length);
});
