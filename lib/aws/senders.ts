/**
 * The send function's channel senders: SMS and push over SNS, email over SES. Only lambdas/send.ts
 * imports this module, so no other bundle carries the SNS and SES clients.
 */
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SNSClient } from '@aws-sdk/client-sns';
import { sesEmailSender } from '../channels/ses-email';
import { snsPushSender } from '../channels/sns-push';
import { snsSmsSender } from '../channels/sns-sms';
import type { ChannelSender, Deps } from '../core/ports';
import { type AwsConfig, ConfigError, ENV } from './config';

/** SDK clients to use instead of the process defaults (tests). */
export interface SenderClients {
  sns?: SNSClient;
  ses?: SESv2Client;
}

/** The senders of every channel; email refuses each message when no from address is configured. */
export function awsSenders(config: AwsConfig, clients: SenderClients = {}): Deps['senders'] {
  return {
    sms: snsSmsSender({
      client: clients.sns,
      senderId: config.smsSenderId,
      originationNumber: config.smsOriginationNumber,
    }),
    email: config.sesFromAddress
      ? sesEmailSender({ client: clients.ses, fromAddress: config.sesFromAddress })
      : emailNotConfigured,
    push: snsPushSender({ client: clients.sns }),
  };
}

const emailNotConfigured: ChannelSender = {
  async send() {
    throw new ConfigError(`${ENV.sesFromAddress} is not set: this deployment cannot send email`);
  },
};
