/** Email through Amazon SES v2: SendEmail with Simple content (subject and text body from the template). */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { traced } from '../aws/tracer';
import type { ChannelSender } from '../core/ports';
import { SendRejectedError } from './errors';
import { throttleOnlyRetryStrategy, toSendError } from './provider-errors';

/**
 * Errors that concern this one message: SES refused its content or recipient (MessageRejected,
 * BadRequest such as a malformed address). Sending it again can never succeed.
 *
 * Not here on purpose: AccountSuspended, SendingPaused, MailFromDomainNotVerified, NotFound and
 * LimitExceeded (daily quota) are about the account, not the message; they are rethrown as is,
 * so the message is recorded `unknown` (never resent) and the error name shows in the send
 * function's warning, where an alarm can catch it.
 */
const PERMANENT = new Set(['MessageRejected', 'BadRequestException']);

const CHARSET = 'UTF-8';

let defaultClient: SESv2Client | undefined;

/** The process-wide SES client; it retries throttles only (see provider-errors.ts). */
export function defaultSesClient(): SESv2Client {
  defaultClient ??= traced(new SESv2Client({ retryStrategy: throttleOnlyRetryStrategy() }));
  return defaultClient;
}

export interface SesEmailOptions {
  client?: SESv2Client;
  /** A verified identity (address or an address of a verified domain). */
  fromAddress: string;
}

/** A ChannelSender for email over SES v2 SendEmail. */
export function sesEmailSender(opts: SesEmailOptions): ChannelSender {
  const client = opts.client ?? defaultSesClient();
  return {
    async send(msg) {
      if (!msg.subject) {
        // SES requires a subject; the template lacks its `Subject:` line. Nothing was sent.
        throw new SendRejectedError(`email template of step ${msg.step} has no Subject line`);
      }
      try {
        const out = await client.send(
          new SendEmailCommand({
            FromEmailAddress: opts.fromAddress,
            Destination: { ToAddresses: [msg.to] },
            Content: {
              Simple: {
                Subject: { Data: msg.subject, Charset: CHARSET },
                Body: { Text: { Data: msg.body, Charset: CHARSET } },
              },
            },
            // The ledger's message id travels with SES events (once a configuration set publishes
            // them), so delivery and open feedback can find its message.
            EmailTags: [{ Name: 'baton-message-id', Value: msg.messageId }],
          }),
        );
        return { providerMessageId: out.MessageId ?? '' };
      } catch (err) {
        throw toSendError(err, 'SES email', PERMANENT);
      }
    },
  };
}
