/**
 * lambdas/api.ts in-process: API Gateway proxy events through the real composition root and the
 * shared router, DynamoDB through dynalite, only Step Functions mocked.
 */
import { SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lambdas/api';
import type { LocalStore } from '../../lib/store/dynalite-server';
import { HOSTILE_CASES, hostileReservedBatch } from '../server/hostile-cases';
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
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
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

/** An API Gateway event for a path as sent (percent-encoded, with its query), as REST APIs deliver it. */
function rawEvent(method: string, target: string, body?: string, headers?: Record<string, string>) {
  const [path, search = ''] = target.split('?');
  const params = new URLSearchParams(search);
  const multi: Record<string, string[]> = {};
  for (const [k, v] of params) multi[k] = [...(multi[k] ?? []), v];
  return {
    httpMethod: method,
    path,
    resource: path,
    headers: headers ?? (body === undefined ? {} : { 'content-type': 'application/json' }),
    body: body ?? null,
    isBase64Encoded: false,
    queryStringParameters: search ? Object.fromEntries(params) : null,
    multiValueQueryStringParameters: search ? multi : null,
  } as unknown as APIGatewayProxyEvent;
}
async function send(event: APIGatewayProxyEvent) {
  const res = (await handler(event, context)) as APIGatewayProxyResult;
  return { status: res.statusCode, headers: res.headers ?? {}, body: res.body ? JSON.parse(res.body) : undefined };
}

describe('hostile input to the API Lambda', () => {
  test.each(HOSTILE_CASES.filter((c) => !c.localOnly).map((c) => [c.name, c] as const))(
    '%s: 400 naming the field, the value and the rule',
    async (_, c) => {
      const a = await send(rawEvent(c.method, c.path, c.body));
      expect(a.status).toBe(400);
      expect(a.body.error.code).toBe(c.code);
      const errors = (a.body.error.errors ?? []) as { path: string; message: string }[];
      const text = c.field === undefined ? a.body.error.message : errors.find((e) => e.path === c.field)?.message;
      if (text === undefined) throw new Error(`no error at ${c.field}: ${JSON.stringify(a.body).slice(0, 500)}`);
      for (const part of c.says) expect(text).toContain(part);
    },
  );

  test('reserved events whose data the engine cannot act on are rejected, the good one beside them accepted', async () => {
    const { batch, results } = hostileReservedBatch('c-reserved');
    expect((await send(rawEvent('POST', '/events', JSON.stringify(batch)))).body).toEqual({ failedCount: 4, results });
    const history = (await send(rawEvent('GET', '/customers/c-reserved/consent'))).body.history;
    expect(history).toEqual([expect.objectContaining({ channel: 'email', status: 'opted_out' })]);
  });

  test('the local-only routes are not found, whatever their parameters', async () => {
    for (const c of HOSTILE_CASES.filter((h) => h.localOnly))
      expect((await send(rawEvent(c.method, c.path))).status).toBe(404);
  });

  test('a body not sent as JSON is refused with 415; a wrong method gets 405 with Allow', async () => {
    const event = JSON.stringify({
      id: 'p-1',
      type: 'x.happened',
      customerId: 'c-1',
      channel: 'web',
      time: '2026-11-20T18:05:00Z',
    });
    const plain = await send(rawEvent('POST', '/events', event, { 'Content-Type': 'text/plain;charset=UTF-8' }));
    expect(plain).toMatchObject({ status: 415, body: { error: { code: 'unsupported-media-type' } } });
    const typed = await send(rawEvent('POST', '/events', event, { 'Content-Type': 'application/json; charset=UTF-8' }));
    expect(typed).toMatchObject({ status: 200, body: { failedCount: 0 } });
    const wrong = await send(rawEvent('DELETE', '/customers/c-1/profile'));
    expect(wrong).toMatchObject({
      status: 405,
      headers: { allow: 'GET, PUT' },
      body: { error: { code: 'method-not-allowed' } },
    });
  });
});
