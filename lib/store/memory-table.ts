/**
 * The in-memory adapter of the Table port, for `baton simulate` and tests: partitions in a map,
 * each with its sort keys kept in UTF-8 order (sorted when a range read needs them after a new
 * key). Nothing survives the process; everything else behaves as the durable adapters do.
 *
 * Built to hold a backtest of a million events in a modest amount of memory:
 * - The items written last (HOT_ITEMS of them) are kept as the objects they were written as: what
 *   is being worked on (an event being ingested, a live session, a running execution) is read and
 *   written again soon, and an object costs no encoding. Older ones are kept as JSON text: a string
 *   costs about its length, where an object costs several times that, and the garbage collector
 *   never walks inside one. A read of text parses a fresh copy, as LMDB decodes one.
 * - Most partitions hold one item under the sort key `_` (an event's record, a message's ledger,
 *   an execution): such a partition is that item alone, without a map of its own.
 * - Items past their `expiresAt` are swept as the clock passes them, as DynamoDB's TTL deletes them
 *   (ARCHITECTURE.md decision 3): not at once, so that a condition still finds an item that has
 *   just expired (as on DynamoDB), but SWEEP_AFTER_MS later, deterministically by the engine clock.
 */
import { KeyedSchedule } from '../core/keyed-schedule';
import { compareUtf8 } from './conditions';
import { keys } from './keys';
import { copy, type IndexWrite, indexKey, inRange, KvTable, type KvWrite, type SkRange } from './kv-table';
import { type Item, TTL_ATTRIBUTE } from './port';

/** An item as kept: the object written (recently written items), or the JSON text of its attributes but its keys. */
type Stored = Item | string;

/** A partition of more than one item, or of one whose sort key is not `_`. */
class Partition {
  readonly items = new Map<string, Stored>();
  /** The sort keys in order, or undefined when a key was added since they were sorted. */
  sorted?: string[];
}

/** How long after its expiry an item is swept (DynamoDB deletes expired items within days). */
export const SWEEP_AFTER_MS = 3_600_000;

/** How many of the items written last are kept as objects. */
export const HOT_ITEMS = 20_000;

/** A table in this process's memory. */
export class MemoryTable extends KvTable {
  /** A partition, or its only item when that item's sort key is `_`. */
  private readonly partitions = new Map<string, Partition | Stored>();
  /** The sparse index: by index partition, entry keys to the item keys they point at. */
  private readonly index = new Map<string, Map<string, { pk: string; sk: string }>>();
  /** Where each indexed item stands in the index, by `pk \u0000 sk` (few items are: pending events). */
  private readonly indexed = new Map<string, { ipk: string; isk: string }>();
  /** When each item with a TTL expires (seconds), by `pk \u0000 sk`. */
  private readonly expiry = new KeyedSchedule();
  /** The items written last, a ring: one still stored when its slot is reused is then kept as text. */
  private readonly hot: (Item | undefined)[];
  private hotNext = 0;
  protected override readonly freshReads = true;

  /** `hotItems`: how many of the items written last are kept as objects (0: every item as text at once). */
  constructor(now: () => number = Date.now, opts: { hotItems?: number } = {}) {
    super(now);
    this.hot = new Array(opts.hotItems ?? HOT_ITEMS);
  }

  /** How many items the table holds (expired ones not yet swept included): what a backtest keeps. */
  get size(): number {
    let n = 0;
    for (const p of this.partitions.values()) n += p instanceof Partition ? p.items.size : 1;
    return n;
  }

  protected read(pk: string, sk: string): Item | undefined {
    return this.decode(pk, sk, this.stored(pk, sk));
  }

  protected override peek(pk: string, sk: string): Item | undefined {
    const stored = this.stored(pk, sk);
    return typeof stored === 'string' ? parsed(pk, sk, stored) : stored;
  }

  /** An item as a read hands it out: parsed from its text, or the object kept (copied for the DynamoDB view, which hands out copies). */
  private decode(pk: string, sk: string, stored: Stored | undefined): Item | undefined {
    if (stored === undefined) return undefined;
    if (typeof stored === 'string') return parsed(pk, sk, stored);
    return this.dynamoRules ? copy(stored) : stored;
  }

  protected override indexedAt(pk: string, sk: string): { ipk: string; isk: string } | undefined {
    return this.indexed.size ? this.indexed.get(`${pk}\u0000${sk}`) : undefined;
  }

  protected range(pk: string, r: SkRange): Item[] {
    const part = this.partitions.get(pk);
    if (part === undefined) return [];
    if (!(part instanceof Partition))
      return r.limit > 0 && inRange(keys.single, r) ? [this.decode(pk, keys.single, part)!] : [];
    part.sorted ??= [...part.items.keys()].sort(compareUtf8);
    const keysInOrder = r.reverse ? [...part.sorted].reverse() : part.sorted;
    const out: Item[] = [];
    for (const sk of keysInOrder) {
      if (out.length >= r.limit) break;
      if (inRange(sk, r)) out.push(this.decode(pk, sk, part.items.get(sk))!);
    }
    return out;
  }

  protected scan(prefix: string, after: { pk: string; sk: string } | undefined, limit: number): Item[] {
    const pks = [...this.partitions.keys()].filter((pk) => pk.startsWith(prefix)).sort(compareUtf8);
    const out: Item[] = [];
    for (const pk of pks) {
      if (after && compareUtf8(pk, after.pk) < 0) continue;
      const rest = this.range(pk, {
        reverse: false,
        limit: limit - out.length,
        ...(after && pk === after.pk ? { after: after.sk } : {}),
      });
      out.push(...rest);
      if (out.length >= limit) break;
    }
    return out;
  }

  protected indexRefs(ipk: string): { pk: string; sk: string }[] {
    const part = this.index.get(ipk);
    if (!part) return [];
    return [...part.keys()].sort(compareUtf8).map((k) => part.get(k)!);
  }

  protected async commit(writes: KvWrite[], index: IndexWrite[]): Promise<void> {
    this.sweep();
    this.applyIndex(index);
    for (const w of writes) {
      if (w.item === null) this.remove(w.pk, w.sk);
      else this.store(w.item);
    }
  }

  private applyIndex(index: IndexWrite[]): void {
    for (const w of index) {
      let part = this.index.get(w.ipk);
      if (!w.ref) {
        part?.delete(w.isk);
        if (part && !part.size) this.index.delete(w.ipk);
        continue;
      }
      if (!part) {
        part = new Map();
        this.index.set(w.ipk, part);
      }
      part.set(w.isk, w.ref);
    }
  }

  private store(item: Item): void {
    const { pk, sk } = item;
    const key = `${pk}\u0000${sk}`;
    const expiresAt = item[TTL_ATTRIBUTE];
    this.expiry.set(key, typeof expiresAt === 'number' ? expiresAt : undefined);
    const at = indexKey(item);
    if (at) this.indexed.set(key, at);
    else if (this.indexed.size) this.indexed.delete(key);
    if (!this.hot.length) {
      this.place(pk, sk, text(item));
      return;
    }
    this.place(pk, sk, item);
    const oldest = this.hot[this.hotNext];
    this.hot[this.hotNext] = item;
    this.hotNext = (this.hotNext + 1) % this.hot.length;
    // Written that long ago, and neither rewritten nor deleted since: kept as text from now on.
    if (oldest && this.stored(oldest.pk, oldest.sk) === oldest) this.place(oldest.pk, oldest.sk, text(oldest));
  }

  private stored(pk: string, sk: string): Stored | undefined {
    const part = this.partitions.get(pk);
    if (part instanceof Partition) return part.items.get(sk);
    return sk === keys.single ? part : undefined;
  }

  private place(pk: string, sk: string, stored: Stored): void {
    const part = this.partitions.get(pk);
    if (part instanceof Partition) {
      if (!part.items.has(sk)) part.sorted = undefined;
      part.items.set(sk, stored);
    } else if (sk === keys.single) this.partitions.set(pk, stored);
    else if (part === undefined) this.partitions.set(pk, partitionOf([[sk, stored]]));
    else
      this.partitions.set(
        pk,
        partitionOf([
          [keys.single, part],
          [sk, stored],
        ]),
      );
  }

  private remove(pk: string, sk: string): void {
    const key = `${pk}\u0000${sk}`;
    this.expiry.set(key, undefined);
    if (this.indexed.size) this.indexed.delete(key);
    const part = this.partitions.get(pk);
    if (!(part instanceof Partition)) {
      if (part !== undefined && sk === keys.single) this.partitions.delete(pk);
      return;
    }
    if (!part.items.delete(sk)) return;
    if (!part.items.size) this.partitions.delete(pk);
    else if (part.sorted) part.sorted.splice(sortedIndex(part.sorted, sk), 1);
  }

  /** Delete the items (and their index entries) that expired more than SWEEP_AFTER_MS ago. */
  private sweep(): void {
    // Expiries are in seconds (DynamoDB's TTL attribute).
    for (const key of this.expiry.takeDue((this.now() - SWEEP_AFTER_MS) / 1000)) {
      const cut = key.indexOf('\u0000');
      const pk = key.slice(0, cut);
      const sk = key.slice(cut + 1);
      const at = this.indexedAt(pk, sk);
      if (at) this.applyIndex([{ ...at, ref: null }]);
      this.remove(pk, sk);
    }
  }
}

/** An item from its keys and the JSON text of its other attributes. */
function parsed(pk: string, sk: string, text: string): Item {
  const item = JSON.parse(text) as Item;
  item.pk = pk;
  item.sk = sk;
  return item;
}

/** The JSON text of an item's attributes but its keys. */
function text(item: Item): string {
  const { pk: _pk, sk: _sk, ...attributes } = item;
  return JSON.stringify(attributes);
}

/** Where `sk` is in sort keys in UTF-8 order (it is there). */
function sortedIndex(sorted: string[], sk: string): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareUtf8(sorted[mid], sk) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function partitionOf(entries: [string, Stored][]): Partition {
  const p = new Partition();
  for (const [sk, stored] of entries) p.items.set(sk, stored);
  return p;
}
