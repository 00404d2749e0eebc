/**
 * Engine throughput: `baton simulate` of the workflows/ journeys for N customers (their scenarios'
 * customers copied; every transition checkpointed, in the memory store and in LMDB on disk), against aws-local-stepfunctions
 * running as many executions of the cart journey's path as a JSONPath machine with in-process task
 * handlers and zeroed waits (nothing persisted), in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate } from '../lib/local/simulate';
import { replicated, workflowScenarios } from './scenarios';

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

/**
 * The workflows/ journeys together, their scenarios' customers copied to at least `n`: in the
 * memory store (what simulate uses), or durable in an LMDB file in a fresh directory.
 */
async function baton(
  n: number,
  durable = false,
): Promise<{ seconds: number; transitions: number; instances: number; customers: number }> {
  const scenarios = workflowScenarios();
  const { events, profiles, customers } = replicated(scenarios, n);
  const dataDir = durable ? mkdtempSync(join(tmpdir(), 'baton-bench-engine-')) : undefined;
  const t = performance.now();
  const { lines, usage } = await simulate({
    journeys: scenarios.map((s) => s.journey),
    events,
    profiles,
    dataDir,
  }).finally(() => dataDir && rmSync(dataDir, { recursive: true, force: true }));
  const seconds = (performance.now() - t) / 1000;
  const transitions = usage.engine.executions + usage.engine.transitions;
  return { seconds, transitions, instances: lines.filter((l) => l.kind === 'entered').length, customers };
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

async function localStepFunctions(n: number): Promise<{ seconds: number; transitions: number; instances: number }> {
  polyfill();
  // Installed by `npm run bench` from bench/package-lock.json (it declares Node >= 22, so the root
  // lock file, which `npm ci` installs on Node 20, does not carry it); typed here by what we use.
  const baseline: string = 'aws-local-stepfunctions';
  const { StateMachine } = (await import(baseline)) as {
    StateMachine: new (
      definition: never,
      options: never,
    ) => { run(input: unknown, options: never): { result: Promise<unknown> } };
  };
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
  // wait-1h, nudge, await-order, opened-nudge, route, done: 6 states entered per execution.
  return { seconds: (performance.now() - t) / 1000, transitions: n * 6, instances: n };
}

/** Run both and return the table rows. */
export async function engineThroughput(n: number): Promise<Figure[]> {
  const b = await baton(n);
  const d = await baton(n, true);
  const a = await localStepFunctions(b.instances);
  const rate = (x: number, s: number) => `${Math.round(x / s).toLocaleString('en-US')}/s`;
  const ratio = (s: number) => `${(a.seconds / s).toFixed(3)}× the baseline`;
  return [
    {
      name: `engine: workflows/ journeys, ${b.customers.toLocaleString('en-US')} customers, memory store`,
      value: `${rate(b.instances, b.seconds)} journeys`,
      baseline: `${rate(a.instances, a.seconds)} journeys`,
      note: `${ratio(b.seconds)} (target 0.25×); ${b.instances.toLocaleString('en-US')} instances in ${b.seconds.toFixed(1)} s, every transition checkpointed; baseline: aws-local-stepfunctions, the cart path in JSONPath, in-process tasks, waits zeroed, nothing kept`,
    },
    {
      name: 'engine: the same, durable (LMDB on disk)',
      value: `${rate(d.instances, d.seconds)} journeys`,
      baseline: `${rate(a.instances, a.seconds)} journeys`,
      note: `${ratio(d.seconds)} (target 0.1×); ${d.instances.toLocaleString('en-US')} instances in ${d.seconds.toFixed(1)} s`,
    },
    {
      name: 'engine: state transitions, memory store',
      value: rate(b.transitions, b.seconds),
      baseline: rate(a.transitions, a.seconds),
      note: `${(b.transitions / b.instances).toFixed(1)} states entered per journey (baseline 6)`,
    },
  ];
}
