/** SMS through Amazon SNS: a direct Publish to the phone number, no topic. */
import { type MessageAttributeValue, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { traced } from '../aws/tracer';
import type { ChannelSender } from '../core/ports';
import { throttleOnlyRetryStrategy, toSendError } from './provider-errors';

/**
 * Errors that concern this one message (a malformed or unsupported number, a body SNS refuses):
 * sending it again can never succeed. Account-level conditions (AuthorizationError, the monthly
 * spend limit, KMS problems) and server faults are deliberately not here: they are rethrown as
 * is, and the send use case records the message as `unknown` and never resends it.
 */
const PERMANENT = new Set(['InvalidParameterException', 'InvalidParameterValueException', 'ValidationException']);

let defaultClient: SNSClient | undefined;

/** The process-wide SNS client (SMS and push); it retries throttles only (see provider-errors.ts). */
export function defaultSnsClient(): SNSClient {
  defaultClient ??= traced(new SNSClient({ retryStrategy: throttleOnlyRetryStrategy() }));
  return defaultClient;
}

export interface SnsSmsOptions {
  client?: SNSClient;
  /** Alphanumeric sender id, where the destination country supports one. */
  senderId?: string;
  /** The long code, toll-free or short code to send from (E.164). */
  originationNumber?: string;
  /**
   * The SMS type when the message does not say: a transactional send goes as Transactional
   * (higher delivery priority), a marketing one as Promotional.
   */
  smsType?: 'Transactional' | 'Promotional';
}

/** A ChannelSender for SMS over SNS Publish with PhoneNumber. */
export function snsSmsSender(opts: SnsSmsOptions = {}): ChannelSender {
  const client = opts.client ?? defaultSnsClient();
  const attributes: Record<string, MessageAttributeValue> = {};
  if (opts.senderId) attributes['AWS.SNS.SMS.SenderID'] = { DataType: 'String', StringValue: opts.senderId };
  if (opts.originationNumber) {
    attributes['AWS.MM.SMS.OriginationNumber'] = { DataType: 'String', StringValue: opts.originationNumber };
  }
  return {
    async send(msg) {
      try {
        const out = await client.send(
          new PublishCommand({
            PhoneNumber: msg.to,
            Message: msg.body,
            MessageAttributes: {
              ...attributes,
              'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: smsTypeOf(msg.purpose, opts.smsType) },
            },
          }),
        );
        return { providerMessageId: out.MessageId ?? '' };
      } catch (err) {
        throw toSendError(err, 'SNS SMS', PERMANENT);
      }
    },
  };
}

function smsTypeOf(
  purpose: 'marketing' | 'transactional' | undefined,
  fallback?: 'Transactional' | 'Promotional',
): string {
  if (purpose === 'marketing') return 'Promotional';
  if (purpose === 'transactional') return 'Transactional';
  return fallback ?? 'Transactional';
}
