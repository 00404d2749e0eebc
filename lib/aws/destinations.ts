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

/**
 * Actions and hand-offs go to the configured webhooks and EventBridge buses. Anything else is
 * refused (the journey's onError runs) rather than logged locally as `baton dev` does: on AWS
 * nobody reads that log.
 */
export function awsDestinations({ destinations: config }: Pick<AwsConfig, 'destinations'>): DestinationRouter {
  const pick = (c: DestinationConfig | undefined, name: string): Destination => {
    if (c?.type === 'webhook') return webhookDestination(c);
    if (c?.type === 'eventbridge') return eventBridgeDestination(c);
    return unconfigured(name);
  };
  return {
    action: (target) => pick(config?.targets?.[target], target),
    handoff: (channel) => pick(config?.handoffs?.[channel], `handoff.${channel}`),
  };
}
