/**
 * The one DynamoDB table (ARCHITECTURE.md decision 3): single-item reads and conditional writes
 * through @aws-sdk/client-dynamodb, identical against AWS and against the local dynalite.
 */
import {
  type AttributeValue,
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
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';

export type Item = Record<string, unknown> & { pk: string; sk: string };

/** The attribute names of the table, and of its one sparse index (gsi1: only items that set gsi1pk are in it). */
export const TABLE_KEYS = {
  pk: 'pk',
  sk: 'sk',
  gsi1: 'gsi1',
  gsi1pk: 'gsi1pk',
  gsi1sk: 'gsi1sk',
  ttl: 'expiresAt',
} as const;

export interface QueryOptions {
  /** Only sort keys starting with this. */
  prefix?: string;
  limit?: number;
  newestFirst?: boolean;
  startKey?: Record<string, unknown>;
}

export interface Page {
  items: Item[];
  nextKey?: Record<string, unknown>;
}

const marshallOptions = { removeUndefinedValues: true, convertClassInstanceToMap: false };

/** Typed access to the table; every write that must not race is conditional. */
export class Table {
  /** Requests made through this instance, for cost figures (reads: get, query, scan pages; writes: put, update, delete). */
  readonly usage = { reads: 0, writes: 0 };

  constructor(
    readonly client: DynamoDBClient,
    readonly name: string,
  ) {}

  /** Read one item, or undefined. Items past their expiry read as absent (dynalite has no TTL). */
  async get(pk: string, sk: string, nowMs?: number): Promise<Item | undefined> {
    this.usage.reads++;
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.name, Key: marshall({ pk, sk }), ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    const item = unmarshall(out.Item) as Item;
    return isExpired(item, nowMs) ? undefined : item;
  }

  /** Write an item; with `ifAbsent`, only when no item has its key. Returns false when the condition failed. */
  async put(item: Item, opts: { ifAbsent?: boolean; condition?: Condition } = {}): Promise<boolean> {
    this.usage.writes++;
    const cond = opts.ifAbsent ? { expression: 'attribute_not_exists(pk)' } : opts.condition;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.name,
          Item: marshall(item, marshallOptions),
          ...conditionParams(cond),
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /**
   * Update attributes of one item (creating it if absent unless a condition says otherwise).
   * `set` values of undefined remove the attribute; `add` increments numbers atomically.
   */
  async update(
    pk: string,
    sk: string,
    changes: { set?: Record<string, unknown>; add?: Record<string, number | Set<string>>; condition?: Condition },
  ): Promise<Item | undefined> {
    this.usage.writes++;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const removes: string[] = [];
    const adds: string[] = [];
    let n = 0;
    for (const [k, v] of Object.entries(changes.set ?? {})) {
      const nk = `#u${n}`;
      names[nk] = k;
      if (v === undefined) removes.push(nk);
      else {
        values[`:u${n}`] = v;
        sets.push(`${nk} = :u${n}`);
      }
      n++;
    }
    for (const [k, v] of Object.entries(changes.add ?? {})) {
      names[`#u${n}`] = k;
      values[`:u${n}`] = v;
      adds.push(`#u${n} :u${n}`);
      n++;
    }
    const parts = [
      sets.length ? `SET ${sets.join(', ')}` : '',
      removes.length ? `REMOVE ${removes.join(', ')}` : '',
      adds.length ? `ADD ${adds.join(', ')}` : '',
    ].filter(Boolean);
    const cond = changes.condition;
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.name,
          Key: marshall({ pk, sk }),
          UpdateExpression: parts.join(' '),
          ConditionExpression: cond?.expression,
          ExpressionAttributeNames: { ...names, ...cond?.names },
          ExpressionAttributeValues: Object.keys({ ...values, ...cond?.values }).length
            ? marshall({ ...values, ...cond?.values }, marshallOptions)
            : undefined,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? (unmarshall(out.Attributes) as Item) : undefined;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return undefined;
      throw err;
    }
  }

  /** Delete one item; with a condition, returns false when it failed. */
  async delete(pk: string, sk: string, condition?: Condition): Promise<boolean> {
    this.usage.writes++;
    try {
      await this.client.send(
        new DeleteItemCommand({ TableName: this.name, Key: marshall({ pk, sk }), ...conditionParams(condition) }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /** One page of items of a partition, in sort-key order. */
  async query(pk: string, opts: QueryOptions = {}): Promise<Page> {
    this.usage.reads++;
    const values: Record<string, unknown> = { ':pk': pk };
    let expr = '#pk = :pk';
    if (opts.prefix !== undefined) {
      expr += ' AND begins_with(#sk, :prefix)';
      values[':prefix'] = opts.prefix;
    }
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.name,
        KeyConditionExpression: expr,
        ExpressionAttributeNames: { '#pk': TABLE_KEYS.pk, ...(expr.includes('#sk') ? { '#sk': TABLE_KEYS.sk } : {}) },
        ExpressionAttributeValues: marshall(values),
        ScanIndexForward: !opts.newestFirst,
        Limit: opts.limit,
        ExclusiveStartKey: opts.startKey ? marshall(opts.startKey) : undefined,
        ConsistentRead: true,
      }),
    );
    return {
      items: (out.Items ?? []).map((i) => unmarshall(i) as Item),
      nextKey: out.LastEvaluatedKey ? unmarshall(out.LastEvaluatedKey) : undefined,
    };
  }

  /** Every item of a partition with the prefix, following pages. */
  async queryAll(pk: string, opts: Omit<QueryOptions, 'startKey' | 'limit'> = {}): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.query(pk, { ...opts, startKey });
      items.push(...page.items);
      startKey = page.nextKey;
    } while (startKey);
    return items;
  }

  /**
   * Every item of one partition of the index gsi1, in gsi1sk order, following pages. An index is
   * eventually consistent on DynamoDB: an item written a moment ago may be missing.
   */
  async queryIndexAll(gsi1pk: string): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      this.usage.reads++;
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.name,
          IndexName: TABLE_KEYS.gsi1,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TABLE_KEYS.gsi1pk },
          ExpressionAttributeValues: marshall({ ':pk': gsi1pk }),
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(out.Items ?? []).map((i) => unmarshall(i) as Item));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** Every item whose partition key starts with `prefix` (a full scan: local stores only). */
  async scanPrefix(prefix: string): Promise<Item[]> {
    const items: Item[] = [];
    for await (const page of this.scanPrefixPages(prefix)) items.push(...page);
    return items;
  }

  /** The same, page by page, for callers that keep only a little of each item. */
  async *scanPrefixPages(prefix: string): AsyncGenerator<Item[]> {
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      this.usage.reads++;
      const out = await this.client.send(
        new ScanCommand({
          TableName: this.name,
          FilterExpression: 'begins_with(#pk, :p)',
          ExpressionAttributeNames: { '#pk': 'pk' },
          ExpressionAttributeValues: marshall({ ':p': prefix }),
          ExclusiveStartKey: startKey,
        }),
      );
      yield (out.Items ?? []).map((i) => unmarshall(i) as Item);
      startKey = out.LastEvaluatedKey;
    } while (startKey);
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
    // A new table is CREATING for a moment (even dynalite's); writes before ACTIVE fail.
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

export interface Condition {
  expression: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

function conditionParams(cond: Condition | undefined) {
  if (!cond) return {};
  return {
    ConditionExpression: cond.expression,
    ExpressionAttributeNames: cond.names,
    ExpressionAttributeValues: cond.values ? marshall(cond.values, marshallOptions) : undefined,
  };
}

function isExpired(item: Item, nowMs: number | undefined): boolean {
  const exp = item[TABLE_KEYS.ttl];
  return nowMs !== undefined && typeof exp === 'number' && exp * 1000 <= nowMs;
}
