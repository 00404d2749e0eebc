/**
 * Engine throughput: `baton simulate` of a journey for N customers (every transition checkpointed
 * in dynalite), against aws-local-stepfunctions running an equivalent JSONPath machine with
 * in-process task handlers and zeroed waits (nothing persisted), in the same run.
 */
import type { Envelope } from '../lib/core/envelope';
import type { Profile } from '../lib/core/profile';
import { loadJourneyFile } from '../lib/journey/load';
import { simulate } from '../lib/local/simulate';

export interface Figure {
  name: string;
  value: string;
  baseline: string;
  note: string;
}

/** Node 20 lacks Promise.withResolvers, which aws-local-stepfunctions 3 uses. */
function polyfill(): void {
  const P = Promise as unknown as { withResolvers?: () => unknown };
  P.withResolvers ??= () => {
    let resolve: unknown;
    let reject: unknown;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

async function baton(n: number): Promise<{ seconds: number; transitions: number }> {
  const loaded = loadJourneyFile('workflows/cart-recovery.json');
  if (!loaded.ok) throw new Error('cart-recovery is invalid');
  const events: Envelope[] = [];
  const profiles: Profile[] = [];
  for (let i = 0; i < n; i++) {
    events.push({
      id: `e-${i}`,
      type: 'checkout.abandoned',
      customerId: `c-${i}`,
      channel: 'web',
      time: '2026-11-20T15:00:00Z',
      data: { cartId: `k-${i}`, value: 50 },
    });
    profiles.push({
      customerId: `c-${i}`,
      email: `c-${i}@example.com`,
      timezone: 'America/New_York',
      consent: { email: 'opted_in' },
    });
  }
  const t = performance.now();
  const { transitions } = await simulate({ journeys: [loaded.loaded], events, profiles });
  return { seconds: (performance.now() - t) / 1000, transitions };
}

/** The cart journey's path as a JSONPath machine: the same states, tasks answered in-process. */
const CART = {
  StartAt: 'wait-1h',
  States: {
    'wait-1h': { Type: 'Wait', Seconds: 3600, Next: 'nudge' },
    nudge: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:123456789012:function:send',
      ResultPath: '$.nudge',
      Next: 'await-order',
    },
    'await-order': { Type: 'Wait', Seconds: 86400, Next: 'opened-nudge' },
    'opened-nudge': {
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:123456789012:function:step',
      ResultPath: '$.branch',
      Next: 'opened-nudge.route',
    },
    'opened-nudge.route': {
      Type: 'Choice',
      Choices: [{ Variable: '$.branch.case', NumericEquals: 0, Next: 'sms-last-call' }],
      Default: 'done',
    },
    'sms-last-call': {
      Type: 'Task',
      Resource: 'arn:aws:lambda:us-east-1:123456789012:function:send',
      ResultPath: '$.last',
      Next: 'done',
    },
    done: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:step', End: true },
  },
};

async function localStepFunctions(n: number): Promise<{ seconds: number; transitions: number }> {
  polyfill();
  const { StateMachine } = await import('aws-local-stepfunctions');
  const machine = new StateMachine(
    CART as never,
    { validationOptions: { checkPaths: false, checkArn: false } } as never,
  );
  const options = {
    overrides: {
      taskResourceLocalHandlers: {
        nudge: async () => ({ outcome: 'sent' }),
        'opened-nudge': async () => ({ case: -1 }),
        'sms-last-call': async () => ({ outcome: 'sent' }),
        done: async () => ({ ended: true }),
      },
      waitTimeOverrides: { 'wait-1h': 0, 'await-order': 0 },
    },
  };
  const t = performance.now();
  await Promise.all(
    Array.from({ length: n }, (_, i) => machine.run({ customerId: `c-${i}` }, options as never).result),
  );
  // wait-1h, nudge, await-order, opened-nudge, route, done: 5 transitions per execution.
  return { seconds: (performance.now() - t) / 1000, transitions: n * 5 };
}

/** Run both and return the table rows. */
export async function engineThroughput(n: number): Promise<Figure[]> {
  const b = await baton(n);
  const a = await localStepFunctions(n);
  const rate = (x: number, s: number) => `${Math.round(x / s).toLocaleString('en-US')}/s`;
  return [
    {
      name: `engine: cart-recovery journeys, ${n} customers`,
      value: rate(n, b.seconds),
      baseline: rate(n, a.seconds),
      note: 'Baton checkpoints every transition in dynalite; the baseline keeps nothing',
    },
    {
      name: 'engine: state transitions',
      value: rate(b.transitions, b.seconds),
      baseline: rate(a.transitions, a.seconds),
      note: `${(b.transitions / n).toFixed(1)} transitions per journey`,
    },
  ];
}
