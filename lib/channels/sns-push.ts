/** Push notifications through Amazon SNS: a Publish to the profile's platform endpoint ARN. */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { ChannelSender } from '../core/ports';
import { toSendError } from './provider-errors';
import { defaultSnsClient } from './sns-sms';

/**
 * Errors that concern this one device: its endpoint is disabled (the app was uninstalled or the
 * token expired), gone, or the ARN or payload is malformed. A disabled platform application or
 * an authorization problem is about the deployment, not the message: rethrown as is, so the
 * message is recorded `unknown` and never resent.
 */
const PERMANENT = new Set([
  'EndpointDisabledException',
  'NotFoundException',
  'InvalidParameterException',
  'InvalidParameterValueException',
  'ValidationException',
]);

/** A ChannelSender for push over SNS Publish with TargetArn (the message text as the default payload). */
export function snsPushSender(opts: { client?: SNSClient } = {}): ChannelSender {
  const client = opts.client ?? defaultSnsClient();
  return {
    async send(msg) {
      try {
        const out = await client.send(new PublishCommand({ TargetArn: msg.to, Message: msg.body }));
        return { providerMessageId: out.MessageId ?? '' };
      } catch (err) {
        throw toSendError(err, 'SNS push', PERMANENT);
      }
    },
  };
}
