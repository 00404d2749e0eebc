/**
 * `baton simulate`'s results counters, added up in memory and written when something reads them.
 * Every fact a journey counts is an atomic add to a small counter item (lib/results/counters.ts):
 * on AWS that keeps counting exact under any concurrency, but in a run of 100,000 audience members
 * it is six store writes a member, a fifth of all the run's writes, each through the item checks
 * and the memory store's bookkeeping. Here the adds to one counter are summed as they come, and the
 * sum is written as one add before anything reads that partition (a get, a query, a scan) or writes
 * it otherwise, and when the run closes. Nothing of a simulate run outlives the process, so nothing
 * is lost by holding adds in memory; every request is still counted in the run's usage (the
 * counting table sits above this one), so cost figures are those of AWS.
 *
 * An add answers as the store would (the item as written, the sums held here included). The first
 * add to a counter, and any add while one of its writes is on its way, goes to the store, whose
 * answer is the counter as it stands: later adds build on it.
 */
import { isResultsPartition } from '../results/counters';
import { copy } from '../store/kv-table';
import type { Cond, Item, Page, QueryOptions, Table, Update, WriteOp } from '../store/port';

/** A counter item as this table knows it. */
interface Counter {
  /** The item as the store holds it, once a write of it has answered. */
  stored?: Item;
  /** What was added since, not yet written. */
  held?: Record<string, number>;
  /** Writes of it on their way to the store. */
  writing: number;
}

/** The same table, with adds to results counters held and summed until something needs them. */
export class BufferedCounters implements Table {
  /** By partition, then sort key. */
  private readonly counters = new Map<string, Map<string, Counter>>();

  constructor(private readonly inner: Table) {}

  get usage() {
    return this.inner.usage;
  }

  update(pk: string, sk: string, changes: Update, opts?: { if?: Cond }): Promise<Item | undefined> {
    if (!isResultsPartition(pk)) return this.inner.update(pk, sk, changes, opts);
    const add = changes.add;
    if (!add || changes.set || changes.remove || opts?.if)
      return this.forgetThen(pk, sk, () => this.inner.update(pk, sk, changes, opts));
    let part = this.counters.get(pk);
    if (!part) {
      part = new Map();
      this.counters.set(pk, part);
    }
    let counter = part.get(sk);
    if (!counter) {
      counter = { writing: 0 };
      part.set(sk, counter);
    }
    if (counter.stored === undefined || counter.writing) return this.writeAdds(pk, sk, counter, add);
    counter.held ??= {};
    const held = counter.held;
    for (const a in add) held[a] = (held[a] ?? 0) + add[a];
    return Promise.resolve(standing(counter.stored, held));
  }

  /** Write adds of a counter to the store; what it answers is the counter as it stands there. */
  private async writeAdds(
    pk: string,
    sk: string,
    counter: Counter,
    add: Record<string, number>,
  ): Promise<Item | undefined> {
    counter.writing++;
    try {
      const stored = await this.inner.update(pk, sk, { add });
      // The store applies writes in the order they are made: the last answer is the latest.
      if (stored) counter.stored = stored;
      return counter.held ? standing(stored!, counter.held) : stored;
    } finally {
      counter.writing--;
    }
  }

  /** Write what is held of a partition's counters (of every partition when pk is undefined). */
  async flush(pk?: string): Promise<void> {
    const one = pk === undefined ? undefined : this.counters.get(pk);
    const parts = pk === undefined ? this.counters : new Map(one ? [[pk, one]] : []);
    const writes: Promise<unknown>[] = [];
    for (const [p, part] of parts)
      for (const [sk, counter] of part) {
        const held = counter.held;
        if (!held) continue;
        counter.held = undefined;
        writes.push(this.writeAdds(p, sk, counter, held));
      }
    await Promise.all(writes);
  }

  /**
   * Write what is held of the partition (of every partition when pk is undefined), then make a
   * request of the store at once, before those writes answer: the store applies requests in the
   * order they are made, so the request sees them, and one made after it does not come first.
   */
  private flushedThen<T>(pk: string | undefined, request: () => Promise<T>): Promise<T> {
    if (pk !== undefined && !this.counters.has(pk)) return request();
    const flushing = this.flush(pk);
    const result = request();
    return flushing.then(() => result);
  }

  /** The same, for a write that is no add: what is known of its item is forgotten. */
  private forgetThen<T>(pk: string, sk: string, request: () => Promise<T>): Promise<T> {
    return this.flushedThen(pk, () => {
      this.counters.get(pk)?.delete(sk);
      return request();
    });
  }

  // Most requests are of partitions with no counter: straight to the store, without a closure.
  get(pk: string, sk: string): Promise<Item | undefined> {
    if (!this.counters.has(pk)) return this.inner.get(pk, sk);
    return this.flushedThen(pk, () => this.inner.get(pk, sk));
  }
  put(item: Item, opts?: { ifAbsent?: boolean; if?: Cond }): Promise<boolean> {
    if (!this.counters.has(item.pk)) return this.inner.put(item, opts);
    return this.forgetThen(item.pk, item.sk, () => this.inner.put(item, opts));
  }
  delete(pk: string, sk: string, opts?: { if?: Cond }): Promise<boolean> {
    if (!this.counters.has(pk)) return this.inner.delete(pk, sk, opts);
    return this.forgetThen(pk, sk, () => this.inner.delete(pk, sk, opts));
  }
  write(ops: WriteOp[]): Promise<void> {
    const counted = ops.some((op) => this.counters.has('put' in op ? op.put.pk : op.delete.pk));
    if (!counted) return this.inner.write(ops);
    return this.flushedThen(undefined, () => {
      for (const op of ops) {
        const { pk, sk } = 'put' in op ? op.put : op.delete;
        this.counters.get(pk)?.delete(sk);
      }
      return this.inner.write(ops);
    });
  }
  query(pk: string, opts?: QueryOptions): Promise<Page> {
    if (!this.counters.has(pk)) return this.inner.query(pk, opts);
    return this.flushedThen(pk, () => this.inner.query(pk, opts));
  }
  queryAll(pk: string, opts?: Omit<QueryOptions, 'startKey' | 'limit'>): Promise<Item[]> {
    if (!this.counters.has(pk)) return this.inner.queryAll(pk, opts);
    return this.flushedThen(pk, () => this.inner.queryAll(pk, opts));
  }
  queryIndexAll(gsi1pk: string): Promise<Item[]> {
    return this.flushedThen(undefined, () => this.inner.queryIndexAll(gsi1pk));
  }
  async *scanPrefixPages(prefix: string): AsyncGenerator<Item[]> {
    await this.flush();
    yield* this.inner.scanPrefixPages(prefix);
  }
  scanPrefix(prefix: string): Promise<Item[]> {
    return this.flushedThen(undefined, () => this.inner.scanPrefix(prefix));
  }
}

/** A counter as it stands: the stored item with what is held added (a new object: callers may change it). */
function standing(stored: Item, held: Record<string, number>): Item {
  const item = copy(stored);
  for (const a in held) item[a] = ((item[a] as number | undefined) ?? 0) + held[a];
  return item;
}
