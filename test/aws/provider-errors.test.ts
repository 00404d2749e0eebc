/**
 * Provider clients retry throttles only: a request that failed in flight (reset, timeout, 5xx)
 * may have been accepted, and repeating it could send a second message (decision 4).
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { isThrottle, throttleOnlyRetryStrategy, toSendError } from '../../lib/channels/provider-errors';

/** An HTTP layer that answers every request with `reply` and counts requests. */
function fakeHttp(reply: () => Promise<unknown>) {
  const handler = {
    requests: 0,
    async handle() {
      handler.requests++;
      return { response: await reply() };
    },
  };
  return handler;
}
const client = (
  requestHandler: ReturnType<typeof fakeHttp>,
  strategy = throttleOnlyRetryStrategy({ baseDelayMs: 1 }),
) =>
  new SNSClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler,
    retryStrategy: strategy,
  });
const publish = new PublishCommand({ PhoneNumber: '+15551230000', Message: 'hi' });

const throttled = () =>
  Promise.resolve({
    statusCode: 400,
    headers: { 'content-type': 'text/xml' },
    body: new TextEncoder().encode(
      '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>',
    ),
  });

test('a connection reset after sending is not retried (the SDK default would send 3 times)', async () => {
  const http = fakeHttp(() => Promise.reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
  await expect(client(http).send(publish)).rejects.toMatchObject({ code: 'ECONNRESET' });
  expect(http.requests).toBe(1);
});

test('a throttle is retried up to the attempt limit, then surfaces with its name', async () => {
  const http = fakeHttp(throttled);
  await expect(client(http).send(publish)).rejects.toMatchObject({ name: 'Throttling' });
  expect(http.requests).toBe(3);
});

test('isThrottle knows the SNS and SES names and HTTP 429', () => {
  for (const name of ['ThrottlingException', 'Throttling', 'ThrottledException', 'TooManyRequestsException']) {
    expect(isThrottle({ name })).toBe(true);
  }
  expect(isThrottle({ name: 'Whatever', $metadata: { httpStatusCode: 429 } })).toBe(true);
  expect(isThrottle({ name: 'InternalErrorException', $metadata: { httpStatusCode: 500 } })).toBe(false);
  expect(isThrottle(undefined)).toBe(false);
});

test('backoff is full jitter under an exponential cap', async () => {
  const strategy = throttleOnlyRetryStrategy({
    maxAttempts: 4,
    baseDelayMs: 100,
    maxDelayMs: 300,
    random: () => 0.999,
  });
  const throttle = { error: { name: 'ThrottlingException' } };
  let token = await strategy.acquireInitialRetryToken('');
  const delays: number[] = [];
  for (let i = 0; i < 3; i++) {
    token = await strategy.refreshRetryTokenForRetry(token, throttle);
    delays.push(token.getRetryDelay());
  }
  expect(delays).toEqual([199, 299, 299]);
  await expect(strategy.refreshRetryTokenForRetry(token, throttle)).rejects.toThrow();
});

test('a 4xx answer that is neither a throttle nor a refusal of this message means nothing was sent', () => {
  const answer = (name: string, httpStatusCode?: number) =>
    Object.assign(new Error('x'), { name, $metadata: { httpStatusCode } });
  const permanent = new Set(['InvalidParameterException']);
  expect(toSendError(answer('AccountSuspendedException', 400), 'SES', permanent)).toMatchObject({
    name: 'Baton.SendRefused',
  });
  expect(toSendError(answer('AuthorizationErrorException', 403), 'SNS SMS', permanent)).toMatchObject({
    name: 'Baton.SendRefused',
  });
  expect(toSendError(answer('InvalidParameterException', 400), 'SNS SMS', permanent)).toMatchObject({
    name: 'Baton.SendRejected',
  });
  // No answer, or a 5xx: it may have gone out; the error stays as it is (recorded unknown).
  const lost = answer('InternalErrorException', 500);
  expect(toSendError(lost, 'SNS SMS', permanent)).toBe(lost);
  const reset = Object.assign(new Error('socket hang up'), { name: 'ECONNRESET' });
  expect(toSendError(reset, 'SES', permanent)).toBe(reset);
});
