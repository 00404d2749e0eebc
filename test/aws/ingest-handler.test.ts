/**
 * lambdas/ingest.ts end to end in-process: the real composition root (config from env, journeys
 * from workflows/, DynamoDB through dynalite) with only Step Functions mocked.
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Context, EventBridgeEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lambdas/ingest';
import { instanceId } from '../../lib/core/ids';
import type { LocalStore } from '../../lib/store/dynalite-server';
import { keys } from '../../lib/store/keys';
import { putProfile } from '../../lib/store/profiles';
import { arnOf, useLambdaEnv } from './lambda-env';

const SM = arnOf('cart-recovery');
const EMAIL = 'ada@example.com';
const PHONE = '+15551230000';
const sfnMock = mockClient(SFNClient);
let store: LocalStore;

const context: Context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'baton-ingest',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:baton-ingest',
  memoryLimitInMB: '512',
  awsRequestId: 'req-1',
  logGroupName: '/aws/lambda/baton-ingest',
  logStreamName: 'stream',
  getRemainingTimeInMillis: () => 30_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
};

const busEvent = (detail: unknown): EventBridgeEvent<string, unknown> => ({
  version: '0',
  id: 'eb-1',
  'detail-type': 'checkout.abandoned',
  source: 'shop.web',
  account: '123456789012',
  time: '2026-11-20T18:05:00Z',
  region: 'us-east-1',
  resources: [],
  detail,
});

const getStore = useLambdaEnv('baton-ingest-test');
beforeAll(async () => {
  store = getStore();
  await putProfile(store.table, { customerId: 'c-42', email: EMAIL, phone: PHONE, consent: { email: 'opted_in' } }, 0);
});

beforeEach(() => {
  sfnMock.reset();
  sfnMock.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string }) => ({
    executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
    startDate: new Date(),
  }));
});

test('a valid event starts one execution named after the instance, with no contact details in it', async () => {
  const detail = {
    id: 'evt-1',
    type: 'checkout.abandoned',
    customerId: 'c-42',
    channel: 'web',
    time: '2026-11-20T18:05:00Z',
    data: { cartId: 'cart-9', value: 42 },
  };

  await expect(handler(busEvent(detail), context)).resolves.toEqual({ status: 'accepted' });

  const calls = sfnMock.commandCalls(StartExecutionCommand);
  expect(calls).toHaveLength(1);
  const input = calls[0].args[0].input;
  const instance = instanceId('cart-recovery', 'c-42', ['cart-9']);
  expect(input.stateMachineArn).toBe(SM);
  expect(input.name).toBe(instance);
  expect(input.input).not.toContain(EMAIL);
  expect(input.input).not.toContain(PHONE);
  expect(JSON.parse(input.input ?? '')).toMatchObject({ customerId: 'c-42', trigger: { data: { cartId: 'cart-9' } } });
  const record = await store.table.get(keys.customer('c-42'), keys.instance('cart-recovery', instance));
  expect(record).toMatchObject({ status: 'active', executionArn: expect.stringContaining(`:execution:`) });

  // A redelivery of the same event changes nothing.
  await expect(handler(busEvent(detail), context)).resolves.toEqual({ status: 'duplicate' });
  expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(1);
});

test('an invalid envelope is answered as rejected with its fields, logged without personal data', async () => {
  // Powertools writes warnings to stderr through its own Console.
  const writes: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    writes.push(String(chunk));
    return true;
  };
  const spies = [jest.spyOn(process.stdout, 'write'), jest.spyOn(process.stderr, 'write')];
  for (const spy of spies) spy.mockImplementation(capture);
  try {
    const detail = {
      id: 'evt-2',
      type: 'checkout.abandoned',
      customerId: `bad ${EMAIL}`,
      channel: 'web',
      time: 'soon',
    };
    const result = await handler(busEvent(detail), context);

    expect(result).toMatchObject({
      status: 'rejected',
      errors: [
        { path: '/customerId', message: expect.any(String) },
        { path: '/time', message: expect.stringContaining('RFC 3339') },
      ],
    });
    expect(JSON.stringify(result)).not.toContain(EMAIL);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  const log = writes.join('');
  expect(log).toContain('event rejected');
  expect(log).toContain('/customerId');
  expect(log).not.toContain(EMAIL);
});

test('a time before 2000 or more than 24 hours ahead of the wall clock is rejected, naming the value', async () => {
  const ahead = new Date(Date.now() + 2 * 86_400_000).toISOString();
  for (const [id, time] of [
    ['evt-ancient', '0001-01-01T00:00:00Z'],
    ['evt-ahead', ahead],
  ]) {
    const detail = { id, type: 'checkout.abandoned', customerId: 'c-42', channel: 'web', time, data: { value: 50 } };
    await expect(handler(busEvent(detail), context)).resolves.toEqual({
      status: 'rejected',
      errors: [{ path: '/time', message: expect.stringContaining(`found "${time}"`) }],
    });
  }
  expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
});

const sqsRecord = (messageId: string, body: string): SQSRecord => ({
  messageId,
  receiptHandle: `rh-${messageId}`,
  body,
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '1763661900000',
    SenderId: 'events.amazonaws.com',
    ApproximateFirstReceiveTimestamp: '1763661900000',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:baton-ingest',
  awsRegion: 'us-east-1',
});
const envelope = (id: string, customerId: string, cartId: string) => ({
  id,
  type: 'checkout.abandoned',
  customerId,
  channel: 'web',
  time: '2026-11-20T18:05:00Z',
  data: { cartId, value: 42 },
});

describe('SQS batches from the ingest buffer', () => {
  test('reports exactly the records that threw; a rejected envelope or a non-event body is dropped, not retried', async () => {
    // Step Functions fails for one customer only: that record alone must come back.
    sfnMock.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string; input: string }) => {
      if (input.input.includes('c-throttled')) {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      }
      return { executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}` };
    });
    const spies = [jest.spyOn(process.stdout, 'write'), jest.spyOn(process.stderr, 'write')];
    for (const spy of spies) spy.mockImplementation(() => true);
    const batch: SQSEvent = {
      Records: [
        sqsRecord('m-ok', JSON.stringify(busEvent(envelope('evt-sqs-1', 'c-sqs-a', 'cart-sqs-1')))),
        sqsRecord('m-rejected', JSON.stringify(busEvent({ ...envelope('evt-sqs-2', 'c-sqs-a', 'x'), time: 'soon' }))),
        sqsRecord('m-throttled', JSON.stringify(busEvent(envelope('evt-sqs-3', 'c-throttled', 'cart-sqs-3')))),
        sqsRecord('m-not-json', 'not json'),
      ],
    };
    try {
      const result = await handler(batch, context);

      expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-throttled' }] });
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const started = sfnMock.commandCalls(StartExecutionCommand).map((c) => JSON.parse(c.args[0].input.input ?? ''));
    expect(started.map((i) => i.customerId).sort()).toEqual(['c-sqs-a', 'c-throttled']);
  });

  test('a redelivered record that already started its instance is a duplicate, not a failure', async () => {
    const record = sqsRecord('m-again', JSON.stringify(busEvent(envelope('evt-sqs-4', 'c-sqs-b', 'cart-sqs-4'))));
    await expect(handler({ Records: [record] }, context)).resolves.toEqual({ batchItemFailures: [] });
    await expect(handler({ Records: [record] }, context)).resolves.toEqual({ batchItemFailures: [] });
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });
});
