/** `baton simulate --report`: the per-step funnel counts what the run printed. */
import { readEvents, readProfiles } from '../../lib/local/inputs';
import { funnel, renderFunnel } from '../../lib/local/report';
import { simulate } from '../../lib/local/simulate';
import { loadValid } from '../helpers';

test('counts entries, ignores, exits and each step by kind and reason', async () => {
  const { lines } = await simulate({
    journeys: [loadValid('workflows/cart-recovery.json')],
    events: readEvents('samples/cart-events.jsonl').events,
    profiles: readProfiles('samples/profiles.json').profiles,
  });
  const f = funnel(lines).get('cart-recovery')!;
  expect(f.entered).toBe(3);
  expect(f.ignored).toEqual({ where: 1 });
  expect(f.exited).toEqual({ completed: 3 });
  expect(Object.fromEntries(f.steps)).toEqual({
    nudge: { sent: 2, 'suppressed:no-eligible-channel': 1 },
    thanks: { sent: 1 },
    'sms-last-call': { sent: 1 },
  });
  const text = renderFunnel(lines);
  expect(text).toContain('journey cart-recovery: entered 3; ignored where 1; exited completed 3');
  expect(text.split('\n').every((l) => !l.startsWith('{'))).toBe(true);
});
