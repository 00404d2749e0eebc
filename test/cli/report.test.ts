import { baton } from './run-baton';

const SIMULATE = [
  'simulate',
  'workflows/cart-recovery.json',
  '--events',
  'samples/cart-events.jsonl',
  '--profiles',
  'samples/profiles.json',
];

it('--report json ends with one report line: the counters agree with the lines printed before it', async () => {
  const r = await baton(...SIMULATE, '--report', 'json');
  expect(r.code).toBe(0);
  const rows = r.out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const report = rows.pop();
  expect(rows.every((l) => l.kind !== 'report')).toBe(true);
  const count = (kind: string, more: Record<string, unknown> = {}) =>
    rows.filter((l) => l.kind === kind && Object.entries(more).every(([k, v]) => l[k] === v)).length;
  const byReason = (kind: string) => {
    const out: Record<string, number> = {};
    for (const l of rows.filter((l) => l.kind === kind)) out[l.reason] = (out[l.reason] ?? 0) + 1;
    return out;
  };
  const cart = report.journeys['cart-recovery'];
  expect(report.kind).toBe('report');
  expect(cart).toMatchObject({
    version: 1,
    entered: count('entered'),
    ignored: byReason('ignored'),
    exited: byReason('exited'),
  });
  expect(cart.steps.nudge).toMatchObject({
    visits: count('sent', { step: 'nudge' }) + count('suppressed', { step: 'nudge' }),
    sent: { email: count('sent', { step: 'nudge', channel: 'email' }) },
    suppressed: { 'no-eligible-channel': count('suppressed', { step: 'nudge' }) },
    // The sample opens the first nudge (evt-2).
    delivered: 1,
    engaged: 1,
  });
  expect(cart.steps['wait-1h'].visits).toBe(count('entered'));
  expect(cart.steps.done.visits).toBe(count('exited', { reason: 'completed' }));
  // c-ben ordered (the goal) while his instance waited for that order: converted, and it went on to thank him.
  expect(cart.converted).toBe(1);
  expect(count('sent', { step: 'thanks', customerId: 'c-ben' })).toBe(1);
  expect(report.channels).toEqual([
    {
      channel: 'email',
      event: 'checkout.abandoned',
      sent: count('sent', { channel: 'email' }),
      delivered: 1,
      engaged: 1,
      rate: 1 / count('sent', { channel: 'email' }),
    },
    {
      channel: 'sms',
      event: 'checkout.abandoned',
      sent: count('sent', { channel: 'sms' }),
      delivered: 0,
      engaged: 0,
      rate: 0,
    },
  ]);
});

it('--report alone stays the text funnel; another format is a usage error', async () => {
  const text = await baton(...SIMULATE, '--report');
  expect(text.code).toBe(0);
  expect(text.out).toContain('\njourney cart-recovery: entered ');
  expect(text.out).not.toContain('"kind":"report"');
  expect(await baton(...SIMULATE, '--report', 'xml')).toEqual({
    code: 2,
    out: '',
    err: "baton: option '--report [format]' argument 'xml' is invalid. Allowed choices are text, json.\nrun baton simulate --help for its usage\n",
  });
});
