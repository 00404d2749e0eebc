/**
 * lambdas/closed.ts in-process: a "Step Functions Execution Status Change" event for a failed
 * journey execution ends its instance in the table (dynalite), through the real composition root.
 */
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { type ExecutionStatusChange, handler } from '../../lambdas/closed';
import type { LocalStore } from '../../lib/store/dynalite-server';
import { keys } from '../../lib/store/keys';
import { arnOf, useLambdaEnv } from './lambda-env';

let store: LocalStore;

const context = {
  functionName: 'baton-closed',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 10_000,
} as Partial<Context> as Context;

const statusChange = (detail: ExecutionStatusChange) =>
  ({
    version: '0',
    id: 'eb-9',
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '123456789012',
    time: '2026-11-20T18:05:00Z',
    region: 'us-east-1',
    resources: [detail.executionArn],
    detail,
  }) as EventBridgeEvent<'Step Functions Execution Status Change', ExecutionStatusChange>;

const getStore = useLambdaEnv('baton-closed-test');
beforeAll(() => {
  store = getStore();
});

test('a failed execution ends its instance and frees the entry lock', async () => {
  const pk = keys.customer('c-7');
  await store.table.put({ pk, sk: keys.instance('cart-recovery', 'i-7'), journey: 'cart-recovery', status: 'active' });
  await store.table.put({ pk, sk: keys.activeLock('cart-recovery'), instance: 'i-7' });

  const result = await handler(
    statusChange({
      executionArn: `${arnOf('cart-recovery').replace(':stateMachine:', ':execution:')}:i-7`,
      stateMachineArn: arnOf('cart-recovery'),
      name: 'i-7',
      status: 'FAILED',
      input: JSON.stringify({ customerId: 'c-7', trigger: {}, context: {}, events: {} }),
    }),
    context,
  );

  expect(result).toEqual({ ended: true });
  expect(await store.table.get(pk, keys.instance('cart-recovery', 'i-7'))).toMatchObject({
    status: 'ended',
    reason: 'failed',
  });
  expect(await store.table.get(pk, keys.activeLock('cart-recovery'))).toBeUndefined();
});

test('an execution of an unknown state machine changes nothing', async () => {
  const result = await handler(
    statusChange({
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:other:i-8',
      stateMachineArn: arnOf('other'),
      name: 'i-8',
      status: 'TIMED_OUT',
      input: null,
    }),
    context,
  );
  expect(result).toEqual({ ended: false });
});
