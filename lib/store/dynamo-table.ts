/**
 * The DynamoDB adapter of the Table port (AWS): the port's typed conditions and updates become
 * expressions, single-item writes stay conditional, batches go out as BatchWriteItem. Items are
 * checked by the same rules as the local adapters before a request leaves, so a bad item gets the
 * same clear error everywhere. Against dynalite it is the reference the contract suite compares
 * the local adapters with.
 */
import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ResourceNotFoundException,
  ScanCommand,
  UpdateItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { ExpressionBuilder } from './conditions';
import { checkedItem, checkKey } from './item-rules';
import {
  type Cond,
  type Item,
  isExpired,
  type Page,
  type QueryOptions,
  queryEvery,
  type Table,
  type Update,
  type Usage,
  type WriteOp,
} from './port';

/** The attribute names of the table, and of its one index (defined, not queried). */
export const TABLE_KEYS = {
  pk: 'pk',
  sk: 'sk',
  gsi1: 'gsi1',
  gsi1pk: 'gsi1pk',
  gsi1sk: 'gsi1sk',
  ttl: 'expiresAt',
} as const;

/**
 * Numbers are JavaScript numbers on both sides: without these options the SDK refuses to write one
 * above 2^53 and reads it back as a BigInt (which JSON cannot serialise), or throws for 1e20.
 */
const marshallOptions = { removeUndefinedValues: true, convertClassInstanceToMap: false, allowImpreciseNumbers: true };
const unmarshallOptions = { wrapNumbers: (n: string) => Number(n) };
/** BatchWriteItem takes at most 25 requests. */
const BATCH = 25;

/** The table on DynamoDB (or dynalite). */
export class DynamoTable implements Table {
  readonly usage: Usage = { reads: 0, writes: 0 };

  constructor(
    readonly client: DynamoDBClient,
    readonly name: string,
    private readonly now: () => number = Date.now,
  ) {}

  async get(pk: string, sk: string): Promise<Item | undefined> {
    this.usage.reads++;
    checkKey(pk, sk);
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.name, Key: marshall({ pk, sk }), ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    const item = unmarshall(out.Item, unmarshallOptions) as Item;
    return isExpired(item, this.now()) ? undefined : item;
  }

  async put(item: Item, opts: { ifAbsent?: boolean; if?: Cond } = {}): Promise<boolean> {
    this.usage.writes++;
    const cond = opts.ifAbsent ? ({ itemAbsent: true } as Cond) : opts.if;
    return this.conditional(
      new PutItemCommand({
        TableName: this.name,
        Item: marshall(checkedItem(item), marshallOptions),
        ...conditionParams(cond),
      }),
    );
  }

  async update(pk: string, sk: string, changes: Update, opts: { if?: Cond } = {}): Promise<Item | undefined> {
    this.usage.writes++;
    // What can be checked before the request: the key and every value set (the size of the item
    // it makes is DynamoDB's to refuse, with the same error name).
    checkedItem({ ...changes.set, pk, sk });
    const b = new ExpressionBuilder();
    const sets: string[] = [];
    const removes: string[] = [];
    const adds: string[] = [];
    // The port's updates change top-level attributes, as the local adapters do: a dot is part of the name.
    for (const [k, v] of Object.entries(changes.set ?? {})) {
      if (v === undefined) removes.push(b.attribute(k));
      else sets.push(`${b.attribute(k)} = ${b.value(v)}`);
    }
    for (const k of changes.remove ?? []) removes.push(b.attribute(k));
    for (const [k, v] of Object.entries(changes.add ?? {})) adds.push(`${b.attribute(k)} ${b.value(v)}`);
    const condition = opts.if ? b.condition(opts.if) : undefined;
    const expression = [
      sets.length ? `SET ${sets.join(', ')}` : '',
      removes.length ? `REMOVE ${removes.join(', ')}` : '',
      adds.length ? `ADD ${adds.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    // An update with nothing to change still creates the item, as DynamoDB does for the key alone.
    const command = new UpdateItemCommand({
      TableName: this.name,
      Key: marshall({ pk, sk }),
      ...(expression ? { UpdateExpression: expression } : {}),
      ConditionExpression: condition,
      ...(Object.keys(b.names).length ? { ExpressionAttributeNames: b.names } : {}),
      ...(Object.keys(b.values).length ? { ExpressionAttributeValues: marshall(b.values, marshallOptions) } : {}),
      ReturnValues: 'ALL_NEW',
    });
    try {
      const out = await this.client.send(command);
      return out.Attributes ? (unmarshall(out.Attributes, unmarshallOptions) as Item) : ({ pk, sk } as Item);
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return undefined;
      throw err;
    }
  }

  async delete(pk: string, sk: string, opts: { if?: Cond } = {}): Promise<boolean> {
    this.usage.writes++;
    checkKey(pk, sk);
    return this.conditional(
      new DeleteItemCommand({ TableName: this.name, Key: marshall({ pk, sk }), ...conditionParams(opts.if) }),
    );
  }

  async write(ops: WriteOp[]): Promise<void> {
    this.usage.writes += ops.length;
    const requests: WriteRequest[] = ops.map((op) => {
      if ('put' in op) return { PutRequest: { Item: marshall(checkedItem(op.put), marshallOptions) } };
      checkKey(op.delete.pk, op.delete.sk);
      return { DeleteRequest: { Key: marshall({ pk: op.delete.pk, sk: op.delete.sk }) } };
    });
    for (let i = 0; i < requests.length; i += BATCH) {
      let pending = requests.slice(i, i + BATCH);
      for (let attempt = 0; pending.length; attempt++) {
        if (attempt >= 8) throw new Error(`BatchWriteItem left ${pending.length} writes unprocessed after 8 attempts`);
        if (attempt) await new Promise((r) => setTimeout(r, 2 ** attempt * 25 * Math.random()));
        const out = await this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.name]: pending } }));
        pending = out.UnprocessedItems?.[this.name] ?? [];
      }
    }
  }

  async query(pk: string, opts: QueryOptions = {}): Promise<Page> {
    this.usage.reads++;
    const b = new ExpressionBuilder();
    let expr = `${b.name('pk')} = ${b.value(pk)}`;
    if (opts.prefix !== undefined && (opts.from !== undefined || opts.to !== undefined))
      throw new TypeError('a query takes a prefix or a from/to range, not both');
    if (opts.prefix !== undefined) expr += ` AND begins_with(${b.name('sk')}, ${b.value(opts.prefix)})`;
    else if (opts.from !== undefined && opts.to !== undefined)
      expr += ` AND ${b.name('sk')} BETWEEN ${b.value(opts.from)} AND ${b.value(opts.to)}`;
    else if (opts.from !== undefined) expr += ` AND ${b.name('sk')} >= ${b.value(opts.from)}`;
    else if (opts.to !== undefined) expr += ` AND ${b.name('sk')} <= ${b.value(opts.to)}`;
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.name,
        KeyConditionExpression: expr,
        ExpressionAttributeNames: b.names,
        ExpressionAttributeValues: marshall(b.values),
        ScanIndexForward: !opts.newestFirst,
        Limit: opts.limit,
        ExclusiveStartKey: opts.startKey ? marshall(opts.startKey) : undefined,
        ConsistentRead: true,
      }),
    );
    const now = this.now();
    return {
      items: (out.Items ?? []).map((i) => unmarshall(i, unmarshallOptions) as Item).filter((i) => !isExpired(i, now)),
      ...(out.LastEvaluatedKey ? { nextKey: unmarshall(out.LastEvaluatedKey) } : {}),
    };
  }

  queryAll(pk: string, opts: Omit<QueryOptions, 'startKey' | 'limit'> = {}): Promise<Item[]> {
    return queryEvery(this, pk, opts);
  }

  async queryIndexAll(gsi1pk: string): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      this.usage.reads++;
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.name,
          IndexName: TABLE_KEYS.gsi1,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TABLE_KEYS.gsi1pk },
          ExpressionAttributeValues: marshall({ ':pk': gsi1pk }),
          ExclusiveStartKey: startKey ? marshall(startKey) : undefined,
        }),
      );
      const now = this.now();
      items.push(
        ...(out.Items ?? []).map((i) => unmarshall(i, unmarshallOptions) as Item).filter((i) => !isExpired(i, now)),
      );
      startKey = out.LastEvaluatedKey ? unmarshall(out.LastEvaluatedKey) : undefined;
    } while (startKey);
    return items;
  }

  async *scanPrefixPages(prefix: string): AsyncGenerator<Item[]> {
    let startKey: Record<string, unknown> | undefined;
    do {
      this.usage.reads++;
      const out = await this.client.send(
        new ScanCommand({
          TableName: this.name,
          FilterExpression: 'begins_with(#pk, :p)',
          ExpressionAttributeNames: { '#pk': 'pk' },
          ExpressionAttributeValues: marshall({ ':p': prefix }),
          ExclusiveStartKey: startKey ? marshall(startKey) : undefined,
        }),
      );
      const now = this.now();
      yield (out.Items ?? []).map((i) => unmarshall(i, unmarshallOptions) as Item).filter((i) => !isExpired(i, now));
      startKey = out.LastEvaluatedKey ? unmarshall(out.LastEvaluatedKey) : undefined;
    } while (startKey);
  }

  async scanPrefix(prefix: string): Promise<Item[]> {
    const items: Item[] = [];
    for await (const page of this.scanPrefixPages(prefix)) items.push(...page);
    return items;
  }

  private async conditional(command: PutItemCommand | DeleteItemCommand): Promise<boolean> {
    try {
      await this.client.send(command as PutItemCommand);
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /** Create the table with Baton's key schema if it does not exist, and wait until it is ACTIVE (local stores only). */
  async ensureExists(): Promise<void> {
    let status: string | undefined;
    try {
      status = (await this.client.send(new DescribeTableCommand({ TableName: this.name }))).Table?.TableStatus;
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
    }
    if (status === undefined) await this.create();
    for (let i = 0; status !== 'ACTIVE'; i++) {
      if (i > 200) throw new Error(`table ${this.name} did not become ACTIVE`);
      await new Promise((r) => setTimeout(r, 10));
      status = (await this.client.send(new DescribeTableCommand({ TableName: this.name }))).Table?.TableStatus;
    }
  }

  private async create(): Promise<void> {
    await this.client.send(
      new CreateTableCommand({
        TableName: this.name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'gsi1pk', AttributeType: 'S' },
          { AttributeName: 'gsi1sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'gsi1',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
  }
}

function conditionParams(cond: Cond | undefined) {
  if (!cond) return {};
  const b = new ExpressionBuilder();
  const expression = b.condition(cond);
  return {
    ConditionExpression: expression,
    ExpressionAttributeNames: b.names,
    ...(Object.keys(b.values).length ? { ExpressionAttributeValues: marshall(b.values, marshallOptions) } : {}),
  };
}
