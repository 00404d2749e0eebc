/** The in-process dynalite client: SDK error types as on AWS, and no LevelDB iterator left open. */
import { ConditionalCheckFailedException, PutItemCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { type DynaliteClient, dynaliteClient } from '../../lib/store/dynalite-client';
import { DynamoTable } from '../../lib/store/dynamo-table';

let store: DynaliteClient;
let table: DynamoTable;
beforeAll(async () => {
  store = dynaliteClient({});
  table = new DynamoTable(store.client, 'baton');
  await table.ensureExists();
});
afterAll(() => store.close());

it('closes every iterator its queries and scans open', async () => {
  for (let i = 0; i < 30; i++) await table.put({ pk: `C#c-${i % 3}`, sk: `T#${i}`, n: i });
  for (let i = 0; i < 50; i++) await table.query(`C#c-${i % 3}`, { prefix: 'T#', limit: i % 2 ? 2 : undefined });
  const all = await table.queryAll('C#c-1', { prefix: 'T#' });
  const scanned = await table.scanPrefix('C#');
  expect(all).toHaveLength(10);
  expect(scanned).toHaveLength(30);
  // Iterators close as their stream ends, just after the answer is sent: a few turns later.
  for (let i = 0; i < 20 && store.openIterators() > 0; i++) await new Promise((r) => setImmediate(r));
  expect(store.openIterators()).toBe(0);
});

it('answers with the SDK exceptions callers check for', async () => {
  await table.put({ pk: 'P#1', sk: '_' });
  expect(await table.put({ pk: 'P#1', sk: '_' }, { ifAbsent: true })).toBe(false);
  await expect(
    store.client.send(
      new PutItemCommand({
        TableName: 'baton',
        Item: { pk: { S: 'P#1' }, sk: { S: '_' } },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  ).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  await expect(
    store.client.send(new PutItemCommand({ TableName: 'missing', Item: { pk: { S: 'x' }, sk: { S: '_' } } })),
  ).rejects.toBeInstanceOf(ResourceNotFoundException);
  await expect(
    store.client.send(new PutItemCommand({ TableName: 'baton', Item: { pk: { S: 'x' } } })),
  ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/Missing the key sk/) });
});
