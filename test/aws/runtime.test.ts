/** The Lambda composition root refuses a deployment whose pieces disagree, at cold start. */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import type { AwsConfig } from '../../lib/aws/config';
import { awsDestinations } from '../../lib/aws/destinations';
import { type AwsPorts, buildDeps, type FunctionRole, ROLE_PORTS } from '../../lib/aws/runtime';
import { awsSenders } from '../../lib/aws/senders';
import { awsSfn } from '../../lib/aws/sfn';
import { silentLogger } from '../../lib/core/ports';
import { loadJourneys } from '../../lib/journey/load';
import type { DynamoTable } from '../../lib/store/dynamo-table';

const WORKFLOWS = resolve(__dirname, '../../workflows');
const arnOf = (id: string) => `arn:aws:states:us-east-1:123456789012:stateMachine:${id}`;
/** An ARN for every journey in workflows/, as the stack gives ingest. */
const ALL_ARNS = Object.fromEntries(loadJourneys([WORKFLOWS]).loaded.map((l) => [l.journey.id, arnOf(l.journey.id)]));
const clients = { dynamodb: new DynamoDBClient({ region: 'us-east-1' }) };
const config = (extra: Partial<AwsConfig> = {}): AwsConfig => ({
  tableName: 'baton',
  journeysDir: WORKFLOWS,
  sesFromAddress: 'shop@example.com',
  ...extra,
});
/** Every port: each role takes those ROLE_PORTS names, as its handler file gives them. */
const ALL_PORTS: AwsPorts = { sfn: awsSfn, senders: awsSenders, destinations: awsDestinations };
const build = (c: AwsConfig, role: FunctionRole) => buildDeps(c, role, ALL_PORTS, { clients, log: silentLogger });

afterAll(() => clients.dynamodb.destroy());

test('ingest gets each bundled journey with its state machine ARN', () => {
  const deps = build(config({ stateMachineArns: ALL_ARNS }), 'ingest');
  expect(deps.catalog.all()).toHaveLength(Object.keys(ALL_ARNS).length);
  expect(deps.catalog.get('cart-recovery')).toMatchObject({
    stateMachineArn: arnOf('cart-recovery'),
    templatesDir: join(WORKFLOWS, 'templates'),
  });
  expect((deps.table as DynamoTable).name).toBe('baton');
});

test('task handlers need no ARNs: their catalog has none', () => {
  const deps = build(config(), 'park');
  expect(deps.catalog.get('cart-recovery')?.stateMachineArn).toBe('');
});

test.each(['ingest', 'closed'] as const)('%s without STATE_MACHINE_ARNS does not start', (role) => {
  expect(() => build(config(), role)).toThrow(`STATE_MACHINE_ARNS is required by the ${role} function`);
});

test('ARNs that do not match the bundled journeys are named', () => {
  const { 'cart-recovery': _dropped, ...rest } = ALL_ARNS;
  expect(() => build(config({ stateMachineArns: { ...rest, other: arnOf('other') } }), 'ingest')).toThrow(
    'missing cart-recovery; not bundled other',
  );
});

test('send refuses to start without a from address when a journey may send email', () => {
  expect(() => build(config({ sesFromAddress: undefined }), 'send')).toThrow(
    /SES_FROM_ADDRESS is required: journeys .*cart-recovery.* send email/,
  );
});

test('actions go to configured webhooks and buses; anything else is refused with the name', async () => {
  const eventBridge = mockClient(EventBridgeClient);
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
  const deps = build(
    config({
      destinations: {
        targets: {
          hook: { type: 'webhook', url: 'https://cc.example.com/hook' },
          bus: { type: 'eventbridge', busName: 'other' },
        },
      },
    }),
    'dispatch',
  );
  const delivery = { idempotencyKey: 'a-1', type: 'action.requested', body: {} };
  await expect(deps.destinations.action('missing').deliver(delivery)).rejects.toMatchObject({
    name: 'Baton.ActionRejected',
    message: expect.stringContaining('missing'),
  });
  await deps.destinations.action('bus').deliver(delivery);
  expect(eventBridge.commandCalls(PutEventsCommand)[0].args[0].input.Entries?.[0]).toMatchObject({
    EventBusName: 'other',
    DetailType: 'action.requested',
  });
  eventBridge.restore();
  await expect(deps.destinations.handoff('phone').deliver(delivery)).rejects.toMatchObject({
    name: 'Baton.ActionRejected',
  });
});

test('an empty or invalid journeys folder fails the cold start', () => {
  const empty = mkdtempSync(join(tmpdir(), 'baton-empty-'));
  expect(() => build(config({ journeysDir: empty }), 'park')).toThrow('no journeys in');
  writeFileSync(join(empty, 'broken.json'), '{');
  expect(() => build(config({ journeysDir: empty }), 'park')).toThrow('are invalid');
});

test('a function lacking a port its role calls does not start', () => {
  expect(() => buildDeps(config(), 'send', {} as AwsPorts, { clients, log: silentLogger })).toThrow(
    'the send function was not given its senders port',
  );
});

test('a port outside the role is refused by name, not called', async () => {
  const park = build(config(), 'park');
  expect(ROLE_PORTS.park).toEqual([]);
  await expect(park.sfn.stopExecution({ executionArn: 'x', error: 'e', cause: 'c' })).rejects.toThrow(
    'the park function has no Step Functions',
  );
  await expect(
    park.senders.email.send({
      messageId: 'm-1',
      channel: 'email',
      to: 'ada@example.com',
      body: 'hi',
      customerId: 'c-1',
      journey: 'j',
      step: 's',
    }),
  ).rejects.toThrow('the park function has no channel senders');
  await expect(park.destinations.action('hook').deliver({ idempotencyKey: 'k', type: 't', body: {} })).rejects.toThrow(
    'the park function has no destinations',
  );
});
