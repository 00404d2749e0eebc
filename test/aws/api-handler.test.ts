/**
 * lambdas/api.ts in-process: API Gateway proxy events through the real composition root and the
 * shared router, DynamoDB through dynalite, only Step Functions mocked.
 */
import { SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lambdas/api';
import type { LocalStore } from '../../lib/store/local-dynamo';
import { useLambdaEnv } from './lambda-env';

const sfnMock = mockClient(SFNClient);
let _store: LocalStore;

const context = {
  awsRequestId: 'req-1',
  functionName: 'baton-api',
  getRemainingTimeInMillis: () => 29_000,
} as unknown as Context;

function request(method: string, path: string, body?: unknown, query?: Record<string, string>): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    path,
    resource: path,
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    queryStringParameters: query ?? null,
  } as unknown as APIGatewayProxyEvent;
}
async function call(method: string, path: string, body?: unknown, query?: Record<string, string>) {
  const res = (await handler(request(method, path, body, query), context)) as APIGatewayProxyResult;
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
}

const getStore = useLambdaEnv('baton-api-test');
beforeAll(async () => {
  _store = getStore();
  sfnMock.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string }) => ({
    executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
    startDate: new Date(),
  }));
  sfnMock.on(StopExecutionCommand).resolves({ stopDate: new Date() });
});

test('the preference center: PUT validates and stores the profile, GET reads it', async () => {
  expect((await call('GET', '/customers/c-9/profile')).status).toBe(404);
  const bad = await call('PUT', '/customers/c-9/profile', { phone: '555' });
  expect(bad).toMatchObject({ status: 400, body: { error: { errors: [{ path: '/phone' }] } } });
  expect(
    (await call('PUT', '/customers/c-9/profile', { email: 'nia@example.com', consent: { email: 'opted_in' } })).status,
  ).toBe(200);
  expect(await call('GET', '/customers/c-9/profile')).toEqual({
    status: 200,
    body: { customerId: 'c-9', email: 'nia@example.com', consent: { email: 'opted_in' } },
  });
});

test('POST /events answers per entry and starts the journey', async () => {
  const r = await call('POST', '/events', [
    {
      id: 'e-1',
      type: 'checkout.abandoned',
      customerId: 'c-9',
      channel: 'web',
      time: '2026-11-20T18:05:00Z',
      data: { cartId: 'k', value: 50 },
    },
    { id: 'e-2', type: 'checkout.abandoned', customerId: 'c-9', channel: 'web', time: 'now' },
  ]);
  expect(r.body).toMatchObject({
    failedCount: 1,
    results: [
      { id: 'e-1', status: 'accepted' },
      { id: 'e-2', status: 'rejected' },
    ],
  });
  expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(1);
});

test('erasure stops the running instance; local-only routes do not exist on AWS', async () => {
  const erased = await call('DELETE', '/customers/c-9');
  expect(erased.body).toMatchObject({ erased: true, stopped: 1 });
  expect(sfnMock.commandCalls(StopExecutionCommand)).toHaveLength(1);
  expect((await call('GET', '/customers/c-9/profile')).status).toBe(404);
  expect((await call('GET', '/outbox')).status).toBe(404);
});
