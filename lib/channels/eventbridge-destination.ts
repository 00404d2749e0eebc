/** A destination that is an EventBridge bus: one PutEvents entry per delivery (source `baton`). */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ActionFailedError, type Destination, type DestinationConfig } from './destinations';

let defaultClient: EventBridgeClient | undefined;

function sharedClient(): EventBridgeClient {
  defaultClient ??= new EventBridgeClient({});
  return defaultClient;
}

/** Deliver to a bus; a failed entry or a service error is transient (retried with backoff). */
export function eventBridgeDestination(
  config: Extract<DestinationConfig, { type: 'eventbridge' }>,
  client: EventBridgeClient = sharedClient(),
): Destination {
  return {
    async deliver(d) {
      let failed: number | undefined;
      try {
        const out = await client.send(
          new PutEventsCommand({
            Entries: [
              {
                EventBusName: config.busName,
                Source: config.source ?? 'baton',
                DetailType: d.type,
                Detail: JSON.stringify({ id: d.idempotencyKey, ...d.body }),
              },
            ],
          }),
        );
        failed = out.FailedEntryCount;
      } catch (err) {
        throw new ActionFailedError(`EventBridge bus ${config.busName} did not take the event`, { cause: err });
      }
      if (failed)
        throw new ActionFailedError(`EventBridge bus ${config.busName} refused the entry; it will be retried`);
    },
  };
}
