/** Email over SES v2: the SendEmail request, and which errors mean "retry", "never" or "unknown". */
import {
  AccountSuspendedException,
  BadRequestException,
  LimitExceededException,
  MessageRejected,
  SESv2Client,
  SendEmailCommand,
  SendingPausedException,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { SendRejectedError, SendThrottledError } from '../../lib/channels/errors';
import { sesEmailSender } from '../../lib/channels/ses-email';
import type { OutgoingMessage } from '../../lib/core/ports';

const sesMock = mockClient(SESv2Client);
const sender = sesEmailSender({ client: new SESv2Client({ region: 'us-east-1' }), fromAddress: 'shop@example.com' });
const TO = 'ada@example.com';
const msg: OutgoingMessage = {
  messageId: 'm-1',
  channel: 'email',
  to: TO,
  subject: 'Your cart is waiting',
  body: 'Hello Ada',
  customerId: 'c-1',
  journey: 'cart-recovery',
  step: 'nudge',
};
const meta = { $metadata: {}, message: `Email address is not verified: ${TO}` };
const named = (name: string) => Object.assign(new Error('Maximum sending rate exceeded.'), { name, $metadata: {} });

beforeEach(() => sesMock.reset());

test('sends simple content with the template subject and returns the SES message id', async () => {
  sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
  await expect(sender.send(msg)).resolves.toEqual({ providerMessageId: 'ses-1' });
  expect(sesMock.commandCalls(SendEmailCommand)[0].args[0].input).toEqual({
    FromEmailAddress: 'shop@example.com',
    Destination: { ToAddresses: [TO] },
    Content: {
      Simple: {
        Subject: { Data: 'Your cart is waiting', Charset: 'UTF-8' },
        Body: { Text: { Data: 'Hello Ada', Charset: 'UTF-8' } },
      },
    },
    EmailTags: [{ Name: 'baton-message-id', Value: 'm-1' }],
  });
});

test('a message without a subject is rejected before SES is called', async () => {
  await expect(sender.send({ ...msg, subject: undefined })).rejects.toBeInstanceOf(SendRejectedError);
  expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
});

test.each([
  ['TooManyRequestsException', new TooManyRequestsException(meta)],
  ['ThrottlingException', named('ThrottlingException')],
  ['Throttling', named('Throttling')],
])('%s is a throttle: nothing was sent, a retry is safe', async (_name, error) => {
  sesMock.on(SendEmailCommand).rejects(error);
  const err = await sender.send(msg).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SendThrottledError);
  expect((err as Error).cause).toBe(error);
});

test.each([
  ['MessageRejected', new MessageRejected(meta)],
  ['BadRequestException', new BadRequestException(meta)],
])('%s is rejected for good, keeping the cause but not quoting the address', async (_name, error) => {
  sesMock.on(SendEmailCommand).rejects(error);
  const err = await sender.send(msg).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SendRejectedError);
  expect((err as Error).cause).toBe(error);
  expect((err as Error).message).not.toContain(TO);
});

test.each([
  ['AccountSuspendedException', new AccountSuspendedException(meta)],
  ['SendingPausedException', new SendingPausedException(meta)],
  ['LimitExceededException', new LimitExceededException(meta)],
])('%s concerns the account, not the message: rethrown as is', async (_name, error) => {
  sesMock.on(SendEmailCommand).rejects(error);
  await expect(sender.send(msg)).rejects.toBe(error);
});
