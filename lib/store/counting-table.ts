/**
 * A second view of a table with usage counters of its own: the local runtime counts the use
 * cases' requests (what the Lambdas would make on AWS, for cost figures) apart from what exists
 * only locally (the engine's checkpoints, the outbox), though both live in one store.
 */
import type { Cond, Item, Page, QueryOptions, Table, Update, Usage, WriteOp } from './port';

/** The same table, counted separately. */
export class CountingTable implements Table {
  readonly usage: Usage = { reads: 0, writes: 0 };

  constructor(private readonly inner: Table) {}

  get(pk: string, sk: string): Promise<Item | undefined> {
    this.usage.reads++;
    return this.inner.get(pk, sk);
  }
  put(item: Item, opts?: { ifAbsent?: boolean; if?: Cond }): Promise<boolean> {
    this.usage.writes++;
    return this.inner.put(item, opts);
  }
  update(pk: string, sk: string, changes: Update, opts?: { if?: Cond }): Promise<Item | undefined> {
    this.usage.writes++;
    return this.inner.update(pk, sk, changes, opts);
  }
  delete(pk: string, sk: string, opts?: { if?: Cond }): Promise<boolean> {
    this.usage.writes++;
    return this.inner.delete(pk, sk, opts);
  }
  write(ops: WriteOp[]): Promise<void> {
    this.usage.writes += ops.length;
    return this.inner.write(ops);
  }
  query(pk: string, opts?: QueryOptions): Promise<Page> {
    this.usage.reads++;
    return this.inner.query(pk, opts);
  }
  /** One read: the local tables below answer a whole partition's matches at once. */
  queryAll(pk: string, opts?: Omit<QueryOptions, 'startKey' | 'limit'>): Promise<Item[]> {
    this.usage.reads++;
    return this.inner.queryAll(pk, opts);
  }
  queryIndexAll(gsi1pk: string): Promise<Item[]> {
    this.usage.reads++;
    return this.inner.queryIndexAll(gsi1pk);
  }
  async *scanPrefixPages(prefix: string): AsyncGenerator<Item[]> {
    for await (const page of this.inner.scanPrefixPages(prefix)) {
      this.usage.reads++;
      yield page;
    }
  }
  scanPrefix(prefix: string): Promise<Item[]> {
    this.usage.reads++;
    return this.inner.scanPrefix(prefix);
  }
}
