/**
 * The one `Table` port (ARCHITECTURE.md decision 3): what the use cases and the local engine ask
 * of the store, in a small typed vocabulary of conditions and updates rather than any adapter's
 * dialect. Adapters: DynamoDB (AWS), LMDB (`baton dev`, on disk), memory (`simulate`, tests). One
 * contract suite (test/store/contract.test.ts) holds them all, and dynalite, to the same behaviour.
 */

/** One item: a partition key, a sort key, and attributes of JSON-like values. */
export type Item = Record<string, unknown> & { pk: string; sk: string };

/** A scalar a condition may compare with. */
export type Scalar = string | number | boolean | null;

/**
 * A condition on the item a write finds (absent or present, expired or not: TTL hides items from
 * reads only, as on DynamoDB). `attr` names a top-level attribute, or a nested one with dots
 * (`execution.seq`). A comparison with a missing attribute, or one of another type, is false;
 * `notEquals` on a missing attribute is true — DynamoDB's rules.
 */
export type Cond =
  | { itemExists: true }
  | { itemAbsent: true }
  | { attr: string; exists: true }
  | { attr: string; absent: true }
  | { attr: string; equals: Scalar }
  | { attr: string; notEquals: Scalar }
  | { attr: string; lessThan: number | string }
  | { attr: string; atMost: number | string }
  | { attr: string; atLeast: number | string }
  | { attr: string; in: Scalar[] }
  | { all: Cond[] }
  | { any: Cond[] };

/** Conditions by name, so call sites read as sentences. */
export const when = {
  itemAbsent: { itemAbsent: true } as Cond,
  itemExists: { itemExists: true } as Cond,
  absent: (attr: string): Cond => ({ attr, absent: true }),
  exists: (attr: string): Cond => ({ attr, exists: true }),
  equals: (attr: string, value: Scalar): Cond => ({ attr, equals: value }),
  notEquals: (attr: string, value: Scalar): Cond => ({ attr, notEquals: value }),
  lessThan: (attr: string, value: number | string): Cond => ({ attr, lessThan: value }),
  atMost: (attr: string, value: number | string): Cond => ({ attr, atMost: value }),
  atLeast: (attr: string, value: number | string): Cond => ({ attr, atLeast: value }),
  in: (attr: string, values: Scalar[]): Cond => ({ attr, in: values }),
  all: (...conds: Cond[]): Cond => ({ all: conds }),
  any: (...conds: Cond[]): Cond => ({ any: conds }),
};

/**
 * Changes to one item's top-level attributes: `set` (a value of undefined removes the attribute),
 * `remove`, `add` (atomic increment of a number, from 0 when absent). An update creates the item when it is
 * absent, unless its condition says otherwise.
 */
export interface Update {
  set?: Record<string, unknown>;
  remove?: string[];
  add?: Record<string, number>;
}

export interface QueryOptions {
  /** Only sort keys starting with this. */
  prefix?: string;
  /** Only sort keys at or after this (UTF-8 byte order, as DynamoDB). */
  from?: string;
  /** Only sort keys at or before this. */
  to?: string;
  limit?: number;
  newestFirst?: boolean;
  /** Continue after this key (a page's `nextKey`). */
  startKey?: Record<string, unknown>;
}

export interface Page {
  items: Item[];
  /** Present when the page was cut by `limit` (more items may follow, as on DynamoDB). */
  nextKey?: Record<string, unknown>;
}

/** An unconditional write of a batch: every op of it is applied, in any order. */
export type WriteOp = { put: Item } | { delete: { pk: string; sk: string } };

/** Requests made through a table, for cost figures. */
export interface Usage {
  reads: number;
  writes: number;
}

/** The store, as the use cases and the local engine see it. */
export interface Table {
  readonly usage: Usage;
  /** One item, or undefined (also when past its `expiresAt`). */
  get(pk: string, sk: string): Promise<Item | undefined>;
  /** Write an item, only when `opts.if` holds (`ifAbsent`: no item has its key). False when it did not. */
  put(item: Item, opts?: { ifAbsent?: boolean; if?: Cond }): Promise<boolean>;
  /** Change attributes of one item when `opts.if` holds; the item as written, or undefined when it did not. */
  update(pk: string, sk: string, changes: Update, opts?: { if?: Cond }): Promise<Item | undefined>;
  /** Delete one item when `opts.if` holds; false when it did not. */
  delete(pk: string, sk: string, opts?: { if?: Cond }): Promise<boolean>;
  /** Several unconditional puts and deletes together (one commit locally, BatchWriteItem on AWS). */
  write(ops: WriteOp[]): Promise<void>;
  /** One page of a partition's items in sort-key order. */
  query(pk: string, opts?: QueryOptions): Promise<Page>;
  /** Every item of a partition that matches, following pages. */
  queryAll(pk: string, opts?: Omit<QueryOptions, 'startKey' | 'limit'>): Promise<Item[]>;
  /**
   * Every item of one partition of the sparse index (items that set `gsi1pk`), in `gsi1sk` order.
   * Eventually consistent, as a DynamoDB index: an item written a moment ago may be missing.
   */
  queryIndexAll(gsi1pk: string): Promise<Item[]>;
  /** Every item whose partition key starts with `prefix`, page by page (a full scan: local stores only). */
  scanPrefixPages(prefix: string): AsyncGenerator<Item[]>;
  /** The same, all at once (local stores and tests). */
  scanPrefix(prefix: string): Promise<Item[]>;
}

/** The attributes of the one sparse index (gsi1 on DynamoDB): an item that sets INDEX_PK is in it. */
export const INDEX_PK = 'gsi1pk';
export const INDEX_SK = 'gsi1sk';

/** The name and attribute of the expiry time, in seconds since the epoch (DynamoDB TTL). */
export const TTL_ATTRIBUTE = 'expiresAt';

/** A request DynamoDB would refuse (size, depth, number range, key): the same name as the SDK's error. */
export class StoreValidationError extends Error {
  override readonly name = 'ValidationException';
}

/** Every item of a partition that matches, following pages: `queryAll` for any adapter. */
export async function queryEvery(
  table: Pick<Table, 'query'>,
  pk: string,
  opts: Omit<QueryOptions, 'startKey' | 'limit'> = {},
): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.query(pk, { ...opts, startKey });
    items.push(...page.items);
    startKey = page.nextKey;
  } while (startKey);
  return items;
}

/** Whether an item is past its expiry at `nowMs`. */
export function isExpired(item: Record<string, unknown>, nowMs: number): boolean {
  const exp = item[TTL_ATTRIBUTE];
  return typeof exp === 'number' && exp * 1000 <= nowMs;
}
