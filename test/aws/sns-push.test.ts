/** Push over SNS: a Publish to the profile's platform endpoint; a dead endpoint is final. */
import {
  EndpointDisabledException,
  PlatformApplicationDisabledException,
  PublishCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { SendRejectedError, SendThrottledError } from '../../lib/channels/errors';
import { snsPushSender } from '../../lib/channels/sns-push';
import type { OutgoingMessage } from '../../lib/core/ports';

const snsMock = mockClient(SNSClient);
const sender = snsPushSender({ client: new SNSClient({ region: 'us-east-1' }) });
const ENDPOINT = 'arn:aws:sns:us-east-1:123456789012:endpoint/GCM/baton/0f1e2d3c';
const msg: OutgoingMessage = {
  messageId: 'm-1',
  channel: 'push',
  to: ENDPOINT,
  body: 'Your cart is waiting',
  customerId: 'c-1',
  journey: 'cart-recovery',
  step: 'nudge',
};
const meta = { $metadata: {}, message: `Endpoint ${ENDPOINT} is disabled` };

beforeEach(() => snsMock.reset());

test('publishes the body to the endpoint ARN', async () => {
  snsMock.on(PublishCommand).resolves({ MessageId: 'sns-2' });
  await expect(sender.send(msg)).resolves.toEqual({ providerMessageId: 'sns-2' });
  expect(snsMock.commandCalls(PublishCommand)[0].args[0].input).toEqual({
    TargetArn: ENDPOINT,
    Message: 'Your cart is waiting',
  });
});

test('a disabled endpoint is rejected for good', async () => {
  snsMock.on(PublishCommand).rejects(new EndpointDisabledException(meta));
  await expect(sender.send(msg)).rejects.toBeInstanceOf(SendRejectedError);
});

test('a throttle may be retried', async () => {
  snsMock.on(PublishCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
  await expect(sender.send(msg)).rejects.toBeInstanceOf(SendThrottledError);
});

test('a disabled platform application concerns the deployment: rethrown as is', async () => {
  const error = new PlatformApplicationDisabledException(meta);
  snsMock.on(PublishCommand).rejects(error);
  await expect(sender.send(msg)).rejects.toBe(error);
});
