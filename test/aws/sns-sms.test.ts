/** SMS over SNS: the Publish request, and which errors mean "retry", "never" or "unknown". */
import {
  AuthorizationErrorException,
  InternalErrorException,
  InvalidParameterException,
  PublishCommand,
  SNSClient,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { SendRejectedError, SendThrottledError } from '../../lib/channels/errors';
import { snsSmsSender } from '../../lib/channels/sns-sms';
import type { OutgoingMessage } from '../../lib/core/ports';

const snsMock = mockClient(SNSClient);
const client = new SNSClient({ region: 'us-east-1' });
const PHONE = '+15551230000';
const msg: OutgoingMessage = {
  messageId: 'm-1',
  channel: 'sms',
  to: PHONE,
  body: 'Your cart expires soon',
  customerId: 'c-1',
  journey: 'cart-recovery',
  step: 'sms-last-call',
};
const meta = { $metadata: {}, message: `Invalid parameter: PhoneNumber ${PHONE}` };
const named = (name: string) => Object.assign(new Error(`Rate exceeded for ${PHONE}`), { name, $metadata: {} });

beforeEach(() => snsMock.reset());

test('publishes to the phone number with the SMS attributes and returns the SNS message id', async () => {
  snsMock.on(PublishCommand).resolves({ MessageId: 'sns-1' });
  const sender = snsSmsSender({ client, senderId: 'Baton', originationNumber: '+15550001111' });
  await expect(sender.send(msg)).resolves.toEqual({ providerMessageId: 'sns-1' });
  expect(snsMock.commandCalls(PublishCommand)[0].args[0].input).toEqual({
    PhoneNumber: PHONE,
    Message: 'Your cart expires soon',
    MessageAttributes: {
      'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
      'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'Baton' },
      'AWS.MM.SMS.OriginationNumber': { DataType: 'String', StringValue: '+15550001111' },
    },
  });
});

test('sends marketing SMS as Promotional and transactional ones as Transactional', async () => {
  snsMock.on(PublishCommand).resolves({ MessageId: 'sns-3' });
  const sender = snsSmsSender({ client });
  await sender.send({ ...msg, purpose: 'marketing' });
  await sender.send({ ...msg, purpose: 'transactional' });
  const types = snsMock
    .commandCalls(PublishCommand)
    .map((c) => c.args[0].input.MessageAttributes?.['AWS.SNS.SMS.SMSType']?.StringValue);
  expect(types).toEqual(['Promotional', 'Transactional']);
});

test.each([
  ['ThrottlingException', named('ThrottlingException')],
  ['ThrottledException', new ThrottledException(meta)],
  ['Throttling', named('Throttling')],
])('%s is a throttle: nothing was sent, a retry is safe', async (_name, error) => {
  snsMock.on(PublishCommand).rejects(error);
  const err = await snsSmsSender({ client })
    .send(msg)
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SendThrottledError);
  expect((err as Error).name).toBe('Baton.SendThrottled');
  expect((err as Error).cause).toBe(error);
  expect((err as Error).message).not.toContain(PHONE);
});

test('an invalid number is rejected for good, keeping the cause but not quoting the number', async () => {
  const error = new InvalidParameterException(meta);
  snsMock.on(PublishCommand).rejects(error);
  const err = await snsSmsSender({ client })
    .send(msg)
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SendRejectedError);
  expect((err as Error).name).toBe('Baton.SendRejected');
  expect((err as Error).cause).toBe(error);
  expect((err as Error).message).not.toContain(PHONE);
});

test.each([
  ['AuthorizationErrorException', new AuthorizationErrorException(meta)],
  ['InternalErrorException', new InternalErrorException(meta)],
  ['a network error', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
])('%s is rethrown as is (recorded unknown, never resent)', async (_name, error) => {
  snsMock.on(PublishCommand).rejects(error);
  await expect(snsSmsSender({ client }).send(msg)).rejects.toBe(error);
});
