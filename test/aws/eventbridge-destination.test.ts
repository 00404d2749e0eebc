/** Hand-offs and actions to an EventBridge bus: one entry, and any failure is retried by the state machine. */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { eventBridgeDestination } from '../../lib/channels/eventbridge-destination';

const ebMock = mockClient(EventBridgeClient);
const destination = eventBridgeDestination(
  { type: 'eventbridge', busName: 'contact-center' },
  new EventBridgeClient({ region: 'us-east-1' }),
);
const delivery = {
  idempotencyKey: 'h-1',
  type: 'handoff.created',
  body: { customerId: 'c-1', to: 'phone', carried: { caseId: 'k-1' } },
};

beforeEach(() => ebMock.reset());

test('puts one event with the delivery type as detail-type and the idempotency key in the detail', async () => {
  ebMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  await destination.deliver(delivery);
  const entries = ebMock.commandCalls(PutEventsCommand)[0].args[0].input.Entries!;
  expect(entries).toEqual([
    {
      EventBusName: 'contact-center',
      Source: 'baton',
      DetailType: 'handoff.created',
      Detail: JSON.stringify({ id: 'h-1', customerId: 'c-1', to: 'phone', carried: { caseId: 'k-1' } }),
    },
  ]);
});

test('a failed entry or a service error is a transient Baton.ActionFailed', async () => {
  ebMock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
  await expect(destination.deliver(delivery)).rejects.toMatchObject({ name: 'Baton.ActionFailed' });
  ebMock.on(PutEventsCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
  await expect(destination.deliver(delivery)).rejects.toMatchObject({ name: 'Baton.ActionFailed' });
});
