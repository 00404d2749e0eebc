/**
 * Secret webhook headers at run time: lambdas/dispatch.ts in-process, configured as the stack
 * configures it (references in DESTINATIONS, the extension's port, the session token), calls a
 * real webhook with the values, and reads each secret once for the life of the process from a
 * real HTTP server that answers as the Parameters and Secrets extension does.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import { handler } from '../../lambdas/dispatch';
import { extensionSecretReader, SecretUnavailableError, secretCache } from '../../lib/aws/secrets';
import { ActionFailedError, ActionRejectedError, webhookDestination } from '../../lib/channels/destinations';
import type { ActionInput } from '../../lib/core/task-input';
import { useLambdaEnv } from './lambda-env';

const SESSION_TOKEN = 'session-token-of-this-sandbox';

/** An HTTP server on a free port that records each request and answers with `answer`. */
async function serve(
  answer: (req: IncomingMessage) => { status: number; body: unknown },
): Promise<{ server: Server; url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    req.resume();
    req.on('end', () => {
      const { status, body } = answer(req);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

/** The extension's answers: GetSecretValue and GetParameter shapes, 400 when the token is wrong. */
function extensionAnswer(req: IncomingMessage): { status: number; body: unknown } {
  if (req.headers['x-aws-parameters-secrets-token'] !== SESSION_TOKEN) return { status: 400, body: 'bad token' };
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/secretsmanager/get' && url.searchParams.get('secretId') === 'baton/cc-token') {
    return { status: 200, body: { Name: 'baton/cc-token', SecretString: 'Bearer t0k3n-from-secrets-manager' } };
  }
  if (
    url.pathname === '/systemsmanager/parameters/get' &&
    url.searchParams.get('name') === '/baton/cc-key' &&
    url.searchParams.get('withDecryption') === 'true'
  ) {
    return { status: 200, body: { Parameter: { Name: '/baton/cc-key', Type: 'SecureString', Value: 'k3y-from-ssm' } } };
  }
  return { status: 404, body: { message: 'not found' } };
}

const context = {
  functionName: 'baton-dispatch',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 30_000,
} as Partial<Context> as Context;

const action = (visit: number): ActionInput => ({
  op: 'action',
  journey: 'support-case',
  version: 1,
  step: 'callback',
  instance: 'i-1',
  customerId: 'c-1',
  visit: String(visit),
  target: 'call-center.callback',
  payload: {},
  trigger: {},
  context: {},
  events: {},
});

describe('lambdas/dispatch with secret headers', () => {
  useLambdaEnv('baton-dispatch-secrets-test');
  let extension: Awaited<ReturnType<typeof serve>>;
  let webhook: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    extension = await serve(extensionAnswer);
    webhook = await serve(() => ({ status: 200, body: {} }));
    Object.assign(process.env, {
      DESTINATIONS: JSON.stringify({
        targets: {
          'call-center.callback': {
            type: 'webhook',
            url: `${webhook.url}/callbacks`,
            headers: {
              Authorization: { secret: 'baton/cc-token' },
              'X-Api-Key': { ssmSecureString: '/baton/cc-key' },
              'X-Team': 'growth',
            },
          },
        },
      }),
      PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: new URL(extension.url).port,
      AWS_SESSION_TOKEN: SESSION_TOKEN,
    });
  });
  afterAll(async () => {
    await new Promise((r) => extension.server.close(r));
    await new Promise((r) => webhook.server.close(r));
  });

  test('every call carries the secret values; each secret is read once for many invocations', async () => {
    for (let visit = 1; visit <= 5; visit++) await handler(action(visit), context);

    expect(webhook.requests).toHaveLength(5);
    for (const req of webhook.requests) {
      expect(req.headers).toMatchObject({
        authorization: 'Bearer t0k3n-from-secrets-manager',
        'x-api-key': 'k3y-from-ssm',
        'x-team': 'growth',
      });
    }
    expect(extension.requests.map((r) => new URL(r.url ?? '/', 'http://x').pathname).sort()).toEqual([
      '/secretsmanager/get',
      '/systemsmanager/parameters/get',
    ]);
  });
});

describe('reading a secret', () => {
  test('concurrent first reads share one request; a failed read is tried again', async () => {
    let reads = 0;
    let fail = true;
    const read = secretCache({
      async read() {
        reads++;
        if (fail) throw new SecretUnavailableError('throttled');
        return 'value';
      },
    });
    await expect(Promise.all([read({ secret: 's' }), read({ secret: 's' })])).rejects.toThrow('throttled');
    expect(reads).toBe(1);
    fail = false;
    expect(await Promise.all(Array.from({ length: 10 }, () => read({ secret: 's' })))).toEqual(Array(10).fill('value'));
    expect(reads).toBe(2);
    // A parameter of the same name is another secret.
    await read({ ssmSecureString: 's' });
    expect(reads).toBe(3);
  });

  test.each([
    ['an unknown secret', { secret: 'nope' }, SESSION_TOKEN, 'secret nope: the secrets extension answered 404'],
    ['a wrong session token', { secret: 'baton/cc-token' }, 'other', 'the secrets extension answered 400'],
  ])('%s is a SecretUnavailableError naming the reference', async (_, ref, token, message) => {
    const extension = await serve(extensionAnswer);
    try {
      const reader = extensionSecretReader({ port: Number(new URL(extension.url).port), sessionToken: token });
      const read = reader.read(ref);
      await expect(read).rejects.toThrow(SecretUnavailableError);
      await expect(read).rejects.toThrow(message);
    } finally {
      await new Promise((r) => extension.server.close(r));
    }
  });

  test('a secret without a string value (binary) is refused, not sent as "undefined"', async () => {
    const extension = await serve(() => ({ status: 200, body: { Name: 'bin', SecretBinary: 'AAEC' } }));
    try {
      const reader = extensionSecretReader({ port: Number(new URL(extension.url).port), sessionToken: SESSION_TOKEN });
      await expect(reader.read({ secret: 'bin' })).rejects.toThrow('secret bin: the answer holds no string value');
    } finally {
      await new Promise((r) => extension.server.close(r));
    }
  });
});

describe('a webhook with a secret header', () => {
  const config = {
    type: 'webhook' as const,
    url: 'https://cc.example.com/callbacks',
    headers: { Authorization: { secret: 'baton/cc-token' } },
  };
  const delivery = { idempotencyKey: 'a-1', type: 'action.requested', body: {} };
  const neverCalled: typeof fetch = async () => {
    throw new Error('the webhook must not be called without its header');
  };

  test('an unreadable secret fails the call as transient (retried), without calling the webhook', async () => {
    const d = webhookDestination(config, {
      fetch: neverCalled,
      secrets: async () => {
        throw new SecretUnavailableError('throttled');
      },
    });
    const err = await d.deliver(delivery).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActionFailedError);
    expect(err).toMatchObject({
      name: 'Baton.ActionFailed',
      message:
        'webhook https://cc.example.com/callbacks: header Authorization could not be read from secret baton/cc-token',
      cause: expect.any(SecretUnavailableError),
    });
  });

  test('without a way to read secrets (locally) a reference is refused by name, not sent', async () => {
    const d = webhookDestination(config, { fetch: neverCalled });
    await expect(d.deliver(delivery)).rejects.toThrow(ActionRejectedError);
    await expect(d.deliver(delivery)).rejects.toThrow('header Authorization is a reference (secret baton/cc-token)');
  });
});
