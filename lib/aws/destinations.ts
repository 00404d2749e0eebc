/**
 * The dispatch function's destinations: webhooks and EventBridge buses. Only lambdas/dispatch.ts
 * imports this module, so no other bundle carries the EventBridge client.
 */
import {
  type Destination,
  type DestinationConfig,
  type DestinationRouter,
  unconfigured,
  webhookDestination,
} from '../channels/destinations';
import { eventBridgeDestination } from '../channels/eventbridge-destination';
import type { AwsConfig } from './config';
import { extensionSecretReader, type SecretReader, secretCache } from './secrets';

export interface AwsDestinationOptions {
  /** Where secret header values are read. @default the Parameters and Secrets extension (config.secretsExtension) */
  secrets?: SecretReader;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/**
 * Actions and hand-offs go to the configured webhooks and EventBridge buses. Anything else is
 * refused (the journey's onError runs) rather than logged locally as `baton dev` does: on AWS
 * nobody reads that log. Called once per process (lambdaDeps), so each secret header is read once
 * per container.
 */
export function awsDestinations(
  config: Pick<AwsConfig, 'destinations' | 'secretsExtension'>,
  opts: AwsDestinationOptions = {},
): DestinationRouter {
  const destinations = config.destinations;
  const reader =
    opts.secrets ??
    extensionSecretReader({
      port: config.secretsExtension?.port,
      sessionToken: config.secretsExtension?.sessionToken ?? '',
    });
  const secrets = secretCache(reader);
  const pick = (c: DestinationConfig | undefined, name: string): Destination => {
    if (c?.type === 'webhook') return webhookDestination(c, { secrets, fetch: opts.fetch });
    if (c?.type === 'eventbridge') return eventBridgeDestination(c);
    return unconfigured(name);
  };
  return {
    action: (target) => pick(destinations?.targets?.[target], target),
    handoff: (channel) => pick(destinations?.handoffs?.[channel], `handoff.${channel}`),
  };
}
