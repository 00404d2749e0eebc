/**
 * Provider faults at the AWS boundary: the real SNS SMS and SES email senders over mocked SDK
 * clients, inside the real send use case run by the local engine from the compiled state machine.
 * Throttles are retried no more than the compiled Retry allows and then fail the instance; a
 * timeout or a reset after the provider may have accepted the request is recorded unknown and
 * never repeated, also when the task itself is retried after it; every outcome is on the timeline.
 */

import {
  AccountSuspendedException,
  InternalServiceErrorException,
  MessageRejected,
  SESv2Client,
  SendEmailCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import {
  AuthorizationErrorException,
  InternalErrorException,
  InvalidParameterException,
  PublishCommand,
  SNSClient,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { sesEmailSender } from '../../lib/channels/ses-email';
import { snsSmsSender } from '../../lib/channels/sns-sms';
import { ingest } from '../../lib/core/ingest';
import type { TimelineEntry } from '../../lib/core/timeline';
import { VirtualClock } from '../../lib/engine/clock';
import { errorMatches, type Retrier } from '../../lib/engine/retry';
import { compileJourney } from '../../lib/journey/compile';
import { type LocalRuntime, startLocalRuntime } from '../../lib/local/runtime';
import { keys } from '../../lib/store/keys';
import type { Table } from '../../lib/store/port';
import { putProfile } from '../../lib/store/profiles';
import { advanceTo, HELLO_TEMPLATES, journeyInTempDir, loadValid, readsMessageOf, simpleJourney } from '../helpers';

type Channel = 'sms' | 'email';
/** What the provider does with one request. */
type Fault =
  | 'ok'
  | 'throttle'
  | 'timeout-after-delivery'
  | 'timeout-before-delivery'
  | 'reset-after-delivery'
  | 'server-error'
  | 'rejected'
  | 'refused';
/** Faults after which the message may have gone out: the provider took the request. */
const MAY_HAVE_DELIVERED: ReadonlySet<Fault> = new Set([
  'ok',
  'timeout-after-delivery',
  'reset-after-delivery',
  'server-error',
]);

const meta = (httpStatusCode: number, message: string) => ({ $metadata: { httpStatusCode }, message });
const timeout = () => Object.assign(new Error('Connection timed out after 5000 ms'), { name: 'TimeoutError' });
const reset = () => Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET' });

/** The error each provider answers with, as the SDK raises it. */
const ERRORS: Record<Channel, Record<Exclude<Fault, 'ok'>, () => Error>> = {
  sms: {
    throttle: () => new ThrottledException(meta(400, 'Rate exceeded')),
    'timeout-after-delivery': timeout,
    'timeout-before-delivery': timeout,
    'reset-after-delivery': reset,
    'server-error': () => new InternalErrorException(meta(500, 'Internal error')),
    rejected: () => new InvalidParameterException(meta(400, 'Invalid parameter: PhoneNumber')),
    refused: () => new AuthorizationErrorException(meta(403, 'Not authorized')),
  },
  email: {
    throttle: () => new TooManyRequestsException(meta(429, 'Maximum sending rate exceeded.')),
    'timeout-after-delivery': timeout,
    'timeout-before-delivery': timeout,
    'reset-after-delivery': reset,
    'server-error': () => new InternalServiceErrorException(meta(500, 'Internal error')),
    rejected: () => new MessageRejected(meta(400, 'Email address is not verified.')),
    refused: () => new AccountSuspendedException(meta(400, 'Account suspended')),
  },
};

const journeyDoc = (channel: Channel) =>
  simpleJourney({
    id: `faults-${channel}`,
    trigger: { event: `${channel}.requested` },
    steps: {
      hello: { type: 'send', channel, template: 'hello', purpose: 'transactional', next: 'check' },
      // Reads the message, so the step pointer is kept (send.ts readsMessage), and checked below.
      check: readsMessageOf('hello', 'done'),
      done: { type: 'end' },
    },
  });

const JOURNEYS = {
  sms: loadValid(journeyInTempDir(journeyDoc('sms'), HELLO_TEMPLATES).file),
  email: loadValid(journeyInTempDir(journeyDoc('email'), HELLO_TEMPLATES).file),
};

/** Task invocations the compiled send state allows for a throttle: the first plus its Retry's MaxAttempts. */
function allowedInvocations(channel: Channel): number {
  const states = compileJourney(JOURNEYS[channel].journey).States as Record<string, { Retry?: Retrier[] }>;
  const retrier = (states.hello.Retry ?? []).find((r) => errorMatches(r.ErrorEquals, 'Baton.SendThrottled'));
  return 1 + (retrier ? (retrier.MaxAttempts ?? 3) : 0);
}

const snsMock = mockClient(SNSClient);
const sesMock = mockClient(SESv2Client);
const T0 = Date.parse('2026-11-20T18:00:00Z');
let rt: LocalRuntime;
let clock: VirtualClock;
let cleanTable: Table;

beforeAll(async () => {
  clock = new VirtualClock(T0);
  rt = await startLocalRuntime({
    journeys: [JOURNEYS.sms, JOURNEYS.email],
    clock,
    concurrency: 1,
  });
  cleanTable = rt.deps.table;
  rt.deps.senders = {
    ...rt.deps.senders,
    sms: snsSmsSender({ client: new SNSClient({ region: 'us-east-1' }), originationNumber: '+15550001111' }),
    email: sesEmailSender({ client: new SESv2Client({ region: 'us-east-1' }), fromAddress: 'shop@example.com' }),
  };
});
afterAll(async () => {
  await rt.close();
});
afterEach(() => {
  rt.deps.table = cleanTable;
});

/** The provider plays `script`, one fault per request (then accepts); returns what it saw. */
function provider(channel: Channel, script: Fault[]) {
  const seen = { calls: 0, delivered: 0, callsAfterDelivery: 0 };
  const fake = async () => {
    const fault = script[seen.calls] ?? 'ok';
    seen.calls++;
    if (seen.delivered > 0) seen.callsAfterDelivery++;
    if (MAY_HAVE_DELIVERED.has(fault)) seen.delivered++;
    if (fault === 'ok') return { MessageId: `${channel}-provider-${seen.calls}` };
    throw ERRORS[channel][fault]();
  };
  snsMock.reset();
  sesMock.reset();
  if (channel === 'sms') snsMock.on(PublishCommand).callsFake(fake);
  else sesMock.on(SendEmailCommand).callsFake(fake);
  return seen;
}
const providerCalls = (channel: Channel) =>
  channel === 'sms' ? snsMock.commandCalls(PublishCommand).length : sesMock.commandCalls(SendEmailCommand).length;

let seq = 0;
/** A new customer triggers the journey; the engine runs it to its end, retries and all. */
async function run(channel: Channel) {
  const customerId = `c-${channel}-${++seq}`;
  await putProfile(
    rt.table,
    {
      customerId,
      phone: '+15551230000',
      email: 'ana@example.com',
      consent: { sms: 'opted_in', email: 'opted_in' },
      attributes: { firstName: 'Ana' },
    },
    clock.now(),
  );
  await ingest(rt.deps, {
    id: `evt-${seq}`,
    type: `${channel}.requested`,
    customerId,
    channel: 'web',
    time: new Date(clock.now()).toISOString(),
  });
  await rt.engine.idle();
  await advanceTo(rt.engine, clock, clock.now() + 3_600_000);
  await rt.engine.idle();
  const lines = (await rt.table.queryAll(keys.customer(customerId), { prefix: keys.timelinePrefix })).map(
    (i) => i.entry as TimelineEntry,
  );
  const index = await rt.table.queryAll(keys.customer(customerId), { prefix: keys.messageIndexPrefix });
  expect(index).toHaveLength(1);
  const messageId = index[0].messageId as string;
  const ledger = await rt.table.get(keys.message(messageId), keys.single);
  const pointer = (await rt.table.queryAll(keys.customer(customerId), { prefix: 'MS#' }))[0];
  return { lines, ledger, pointer, messageId };
}

type Outcome = 'sent' | 'unknown' | 'failed' | 'throttled-out';

/** What the contract says happens to a script: throttles retry within the allowance, the rest settle. */
function expectedOf(script: Fault[], allowed: number): { outcome: Outcome; calls: number } {
  for (let i = 0; i < allowed; i++) {
    const fault = script[i] ?? 'ok';
    if (fault === 'throttle') continue;
    if (fault === 'ok') return { outcome: 'sent', calls: i + 1 };
    if (fault === 'rejected' || fault === 'refused') return { outcome: 'failed', calls: i + 1 };
    return { outcome: 'unknown', calls: i + 1 };
  }
  return { outcome: 'throttled-out', calls: allowed };
}

/** The timeline, ledger and step pointer agree with the outcome. */
function expectRecorded(r: Awaited<ReturnType<typeof run>>, outcome: Outcome) {
  const kinds = (k: TimelineEntry['kind']) => r.lines.filter((l) => l.kind === k);
  expect(kinds('entered')).toHaveLength(1);
  const exited = kinds('exited');
  expect(exited).toHaveLength(1);
  const notes = kinds('note').filter((l) => l.messageId === r.messageId);
  if (outcome === 'sent') {
    expect(kinds('sent')).toEqual([expect.objectContaining({ step: 'hello', messageId: r.messageId })]);
    expect(notes).toEqual([]);
    expect(r.ledger).toMatchObject({ status: 'sent' });
    expect(r.pointer).toMatchObject({ messageId: r.messageId, status: 'sent' });
    expect(exited[0].reason).toBe('completed');
  } else if (outcome === 'throttled-out') {
    // Nothing was accepted: the claim was given back and the step failed the instance.
    expect(kinds('sent')).toEqual([]);
    expect(r.ledger).toBeUndefined();
    expect(exited[0]).toMatchObject({ reason: 'failed', step: 'hello' });
  } else {
    expect(kinds('sent')).toEqual([]);
    expect(notes).toEqual([expect.objectContaining({ step: 'hello', reason: `send-${outcome}` })]);
    expect(r.ledger).toMatchObject({ status: outcome });
    expect(r.pointer).toMatchObject({ messageId: r.messageId, status: outcome });
    expect(exited[0].reason).toBe('completed');
  }
}

describe.each(['sms', 'email'] as const)('%s provider faults', (channel) => {
  const allowed = allowedInvocations(channel);

  it('a throttle on every request is retried exactly as the compiled Retry allows, then fails the instance', async () => {
    expect(allowed).toBeGreaterThan(1);
    const seen = provider(channel, Array(50).fill('throttle'));
    const r = await run(channel);
    expect(providerCalls(channel)).toBe(allowed);
    expect(seen.delivered).toBe(0);
    expectRecorded(r, 'throttled-out');
  });

  it('throttles then acceptance: one message, sent once', async () => {
    const seen = provider(channel, ['throttle', 'throttle', 'ok']);
    const r = await run(channel);
    expect(providerCalls(channel)).toBe(3);
    expect(seen.delivered).toBe(1);
    expectRecorded(r, 'sent');
  });

  it('a timeout after the provider accepted: unknown, never repeated', async () => {
    const seen = provider(channel, ['timeout-after-delivery', 'ok', 'ok']);
    const r = await run(channel);
    expect(providerCalls(channel)).toBe(1);
    expect(seen).toMatchObject({ delivered: 1, callsAfterDelivery: 0 });
    expectRecorded(r, 'unknown');
  });

  it('a task retried after a timeout whose request went through does not call the provider again', async () => {
    // The handler dies after the provider call, before recording its outcome (the ledger write
    // fails once): Step Functions retries the task, which must find the claim and not resend.
    let failures = 0;
    rt.deps.table = new Proxy(cleanTable, {
      get(target, prop) {
        if (prop === 'update')
          return (pk: string, sk: string, changes: Parameters<Table['update']>[2]) => {
            if (pk.startsWith('M#') && failures++ === 0)
              throw Object.assign(new Error('Throughput exceeds the current capacity'), {
                name: 'ProvisionedThroughputExceededException',
              });
            return target.update(pk, sk, changes);
          };
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const seen = provider(channel, ['timeout-after-delivery', 'ok', 'ok', 'ok']);
    const r = await run(channel);
    expect(failures).toBeGreaterThanOrEqual(2); // the write failed, and the retry came back to it
    expect(providerCalls(channel)).toBe(1);
    expect(seen).toMatchObject({ delivered: 1, callsAfterDelivery: 0 });
    expectRecorded(r, 'unknown');
  });

  it('a refusal of the message or the account fails the send once, without retries', async () => {
    for (const fault of ['rejected', 'refused'] as const) {
      provider(channel, [fault, 'ok']);
      const r = await run(channel);
      expect(providerCalls(channel)).toBe(1);
      expectRecorded(r, 'failed');
    }
  });

  it('any sequence of faults: calls within the Retry allowance, never a request after one that may have delivered', async () => {
    const fault = fc.constantFrom<Fault>(
      'ok',
      'throttle',
      'throttle',
      'throttle',
      'timeout-after-delivery',
      'timeout-before-delivery',
      'reset-after-delivery',
      'server-error',
      'rejected',
      'refused',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fault, { minLength: 1, maxLength: allowed + 2 }), async (script) => {
        const seen = provider(channel, script);
        const r = await run(channel);
        const expected = expectedOf(script, allowed);
        expect(providerCalls(channel)).toBe(expected.calls);
        expect(seen.calls).toBeLessThanOrEqual(allowed);
        expect(seen.delivered).toBeLessThanOrEqual(1);
        expect(seen.callsAfterDelivery).toBe(0);
        expectRecorded(r, expected.outcome);
      }),
      { numRuns: 40, seed: channel === 'sms' ? 8_2026 : 9_2026 },
    );
  });
});
