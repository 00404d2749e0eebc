/**
 * The part the two local adapters share: the port's conditions, updates, item rules, paging and
 * TTL, applied in JavaScript over an ordered key-value store. Each operation reads, checks and
 * writes without yielding to the event loop, so it is atomic in this process (the only writer of
 * a data dir); the adapter below makes the write durable before the promise resolves.
 */
import { applyUpdate, compareUtf8, holds } from './conditions';
import { checkedItem, checkKey } from './item-rules';
import {
  type Cond,
  INDEX_PK,
  INDEX_SK,
  type Item,
  isExpired,
  type Page,
  type QueryOptions,
  type Table,
  type Update,
  type Usage,
  type WriteOp,
} from './port';

/** One change handed to the adapter: the new item, or null to delete. */
export interface KvWrite {
  pk: string;
  sk: string;
  item: Item | null;
}

/** A change of the sparse index: an entry (index partition, sort key) pointing at an item, or null to remove it. */
export interface IndexWrite {
  ipk: string;
  /** The item's gsi1sk, then its own keys: unique, and in gsi1sk order. */
  isk: string;
  ref: { pk: string; sk: string } | null;
}

/** Which sort keys of a partition a range read covers. */
export interface SkRange {
  /** Inclusive lower bound (undefined: the first key). */
  from?: string;
  /** Exclusive lower bound: continue after this key. */
  after?: string;
  /** Only keys starting with this. */
  prefix?: string;
  /** Inclusive upper bound. */
  to?: string;
  /** Exclusive upper bound: continue before this key (newest first). */
  before?: string;
  reverse: boolean;
  limit: number;
}

/** A table over an ordered key-value store. */
export abstract class KvTable implements Table {
  readonly usage: Usage = { reads: 0, writes: 0 };
  /** Set while the adapter rewrites its files (compaction): operations wait for it. */
  protected gate: Promise<void> | undefined;
  /** Whether items are held to DynamoDB's rules (size, depth, numbers); see `localOnly`. */
  protected readonly dynamoRules: boolean = true;
  /** Whether the adapter decodes a new object on every read (so reads need no copy). */
  protected readonly freshReads: boolean = false;

  /**
   * The same table (same data, same pending writes) for records that exist only locally — the
   * engine's executions, task tokens, outbox: they never go to DynamoDB, and an execution's
   * record (input, state, variables, result) may weigh several times the 400 KB an item may.
   * Its values are handed over, not copied (the engine writes every checkpoint as a new object
   * and never changes one it wrote or read): its callers must not change them afterwards.
   */
  localOnly(): Table {
    return Object.create(this, { dynamoRules: { value: false } }) as Table;
  }

  private checked(item: Item): Item {
    if (this.dynamoRules) return checkedItem(item);
    checkKey(item.pk, item.sk);
    return item;
  }

  /** What a read hands out: a copy, unless this is the local-only view (or the adapter decoded it for this read). */
  private out(item: Item): Item {
    return this.dynamoRules && !this.freshReads ? copy(item) : item;
  }

  /** The item an update wrote, handed out: a copy, unless this is the local-only view. */
  private written(item: Item): Item {
    return this.dynamoRules ? copy(item) : item;
  }

  constructor(protected readonly now: () => number) {}

  /** The item stored under a key (expired or not), as the latest write left it. */
  protected abstract read(pk: string, sk: string): Item | undefined;
  /** The same, for this table's own checks (conditions, updates): never handed out, so it need not be a copy. */
  protected peek(pk: string, sk: string): Item | undefined {
    return this.read(pk, sk);
  }
  /** At most `limit` items of a partition in the range, in key order (reversed when asked). */
  protected abstract range(pk: string, range: SkRange): Item[];
  /** Items whose partition key starts with `prefix`, from after `afterPk`/`afterSk`, at most `limit`. */
  protected abstract scan(prefix: string, after: { pk: string; sk: string } | undefined, limit: number): Item[];
  /**
   * Apply writes and their index changes (visible to reads at once); resolve once they are durable
   * (an adapter with nothing to wait for returns nothing: no promise to make and await per write).
   */
  protected abstract commit(writes: KvWrite[], index: IndexWrite[]): Promise<void> | undefined;
  /** The item keys of one index partition, in index order, as committed. */
  protected abstract indexRefs(ipk: string): { pk: string; sk: string }[];
  /** Resolve once every write issued so far is committed (index reads see committed data only). */
  protected settle(): Promise<void> {
    return Promise.resolve();
  }
  /**
   * Resolve once every write issued so far is durable: the barrier before anything that depends on
   * them leaves the process (an adapter whose writes resolve before they commit waits here).
   */
  flushed(): Promise<void> {
    return Promise.resolve();
  }
  /** Where the item stored under a key stands in the index (an adapter that knows it without reading the item says so). */
  protected indexedAt(pk: string, sk: string): { ipk: string; isk: string } | undefined {
    return indexKey(this.read(pk, sk));
  }

  /** Commit writes with the index changes they make (what each key held before is read here). */
  private write1(writes: KvWrite[]): Promise<void> | undefined {
    let index = NO_INDEX_WRITES;
    for (const w of writes) {
      const old = this.indexedAt(w.pk, w.sk);
      const next = indexKey(w.item ?? undefined);
      if (!old && !next) continue;
      if (index === NO_INDEX_WRITES) index = [];
      if (old && (!next || old.ipk !== next.ipk || old.isk !== next.isk)) index.push({ ...old, ref: null });
      if (next) index.push({ ...next, ref: { pk: w.pk, sk: w.sk } });
    }
    return this.commit(writes, index);
  }

  async queryIndexAll(gsi1pk: string): Promise<Item[]> {
    if (this.gate) await this.gate;
    this.usage.reads++;
    await this.settle();
    const now = this.now();
    const items: Item[] = [];
    for (const ref of this.indexRefs(gsi1pk)) {
      const item = this.read(ref.pk, ref.sk);
      if (item && item[INDEX_PK] === gsi1pk && !isExpired(item, now)) items.push(this.out(item));
    }
    return items;
  }

  async get(pk: string, sk: string): Promise<Item | undefined> {
    if (this.gate) await this.gate;
    this.usage.reads++;
    checkKey(pk, sk);
    const item = this.read(pk, sk);
    return item && !isExpired(item, this.now()) ? this.out(item) : undefined;
  }

  async put(item: Item, opts?: { ifAbsent?: boolean; if?: Cond }): Promise<boolean> {
    if (this.gate) await this.gate;
    this.usage.writes++;
    const checked = this.checked(item);
    const cond = opts?.ifAbsent ? ABSENT : opts?.if;
    if (cond && !holds(cond, this.peek(item.pk, item.sk))) return false;
    const committing = this.write1([{ pk: item.pk, sk: item.sk, item: checked }]);
    if (committing) await committing;
    return true;
  }

  async update(pk: string, sk: string, changes: Update, opts: { if?: Cond } = {}): Promise<Item | undefined> {
    if (this.gate) await this.gate;
    this.usage.writes++;
    checkKey(pk, sk);
    const prev = this.peek(pk, sk);
    if (opts.if && !holds(opts.if, prev)) return undefined;
    const next = this.checked(applyUpdate(prev, pk, sk, changes));
    const committing = this.write1([{ pk, sk, item: next }]);
    if (committing) await committing;
    return this.written(next);
  }

  async delete(pk: string, sk: string, opts: { if?: Cond } = {}): Promise<boolean> {
    if (this.gate) await this.gate;
    this.usage.writes++;
    checkKey(pk, sk);
    if (opts.if && !holds(opts.if, this.peek(pk, sk))) return false;
    const committing = this.write1([{ pk, sk, item: null }]);
    if (committing) await committing;
    return true;
  }

  async write(ops: WriteOp[]): Promise<void> {
    if (this.gate) await this.gate;
    this.usage.writes += ops.length;
    const writes = ops.map((op): KvWrite => {
      if ('put' in op) return { pk: op.put.pk, sk: op.put.sk, item: this.checked(op.put) };
      checkKey(op.delete.pk, op.delete.sk);
      return { pk: op.delete.pk, sk: op.delete.sk, item: null };
    });
    if (writes.length) await this.write1(writes);
  }

  async query(pk: string, opts: QueryOptions = {}): Promise<Page> {
    if (this.gate) await this.gate;
    this.usage.reads++;
    const limit = opts.limit ?? Number.POSITIVE_INFINITY;
    const rows = this.rows(pk, opts);
    const last = rows.at(-1);
    return {
      items: this.live(rows),
      // As DynamoDB: a page cut by the limit has a next key, even when nothing follows it.
      ...(rows.length >= limit && last ? { nextKey: { pk: last.pk, sk: last.sk } } : {}),
    };
  }

  /** Every match at once: locally a partition is one range read, not pages (one read, as one page). */
  async queryAll(pk: string, opts: Omit<QueryOptions, 'startKey' | 'limit'> = {}): Promise<Item[]> {
    if (this.gate) await this.gate;
    this.usage.reads++;
    return this.live(this.rows(pk, opts));
  }

  /** The items of a partition a query asks for (expired ones included), from its start key, up to its limit. */
  private rows(pk: string, opts: QueryOptions): Item[] {
    const reverse = opts.newestFirst ?? false;
    const start = opts.startKey?.sk as string | undefined;
    return this.range(pk, {
      prefix: opts.prefix,
      from: opts.from,
      to: opts.to,
      after: reverse ? undefined : start,
      before: reverse ? start : undefined,
      reverse,
      limit: opts.limit ?? Number.POSITIVE_INFINITY,
    });
  }

  /** What a read hands out of the rows it found: those not expired now. */
  private live(rows: Item[]): Item[] {
    const now = this.now();
    const items: Item[] = [];
    for (const i of rows) if (!isExpired(i, now)) items.push(this.out(i));
    return items;
  }

  async scanPrefix(prefix: string): Promise<Item[]> {
    const items: Item[] = [];
    for await (const page of this.scanPrefixPages(prefix)) items.push(...page);
    return items;
  }

  async *scanPrefixPages(prefix: string): AsyncGenerator<Item[]> {
    let after: { pk: string; sk: string } | undefined;
    for (;;) {
      if (this.gate) await this.gate;
      this.usage.reads++;
      const rows = this.scan(prefix, after, SCAN_PAGE);
      yield this.live(rows);
      if (rows.length < SCAN_PAGE) return;
      const last = rows[rows.length - 1];
      after = { pk: last.pk, sk: last.sk };
    }
  }
}

const SCAN_PAGE = 500;
const ABSENT: Cond = { itemAbsent: true };
/** No index change: shared, never written to. */
const NO_INDEX_WRITES: IndexWrite[] = [];

/** A deep copy of a stored item: callers may change what they read without changing the store. */
export function copy<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copy) as T;
  const out: Record<string, unknown> = {};
  for (const k in value) out[k] = copy((value as Record<string, unknown>)[k]);
  return out as T;
}

/** Where an item stands in the sparse index, if it sets gsi1pk. */
export function indexKey(item: Item | undefined): { ipk: string; isk: string } | undefined {
  const ipk = item?.[INDEX_PK];
  if (typeof ipk !== 'string' || !item) return undefined;
  return { ipk, isk: `${String(item[INDEX_SK] ?? '')}\u0000${item.pk}\u0000${item.sk}` };
}

/** Whether a sort key lies in a range (bounds and prefix; not the limit). */
export function inRange(sk: string, r: Omit<SkRange, 'reverse' | 'limit'>): boolean {
  if (r.prefix !== undefined && !sk.startsWith(r.prefix)) return false;
  if (r.from !== undefined && compareUtf8(sk, r.from) < 0) return false;
  if (r.to !== undefined && compareUtf8(sk, r.to) > 0) return false;
  if (r.after !== undefined && compareUtf8(sk, r.after) <= 0) return false;
  if (r.before !== undefined && compareUtf8(sk, r.before) >= 0) return false;
  return true;
}
