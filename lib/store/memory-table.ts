/**
 * The in-memory adapter of the Table port, for `baton simulate` and tests: partitions in a map,
 * each with its sort keys kept in UTF-8 order (sorted when a range read needs them after a new
 * key). Nothing survives the process; everything else behaves as the durable adapters do.
 *
 * Built to hold a backtest of a million events in a modest amount of memory:
 * - Items are kept as JSON text from their first write: a string costs about its length, where an
 *   object costs several times that, and the garbage collector never walks inside one. A read
 *   parses a fresh copy, as LMDB decodes one. (Keeping the 20,000 items written last as objects
 *   was measured on the week's backtest, the two at once: 410 s, 425 s of CPU and a peak of 949 MB
 *   against 390 s, 364 s and 896 MB as text, the outputs identical. Every object held that way
 *   outlives the young generation, so the collector copies it twice and then marks it, and most
 *   items are written once or twice.) The exception is what the local-only view writes (the
 *   engine's executions and task tokens): that view hands its values over and its callers never
 *   change them, so they are kept as the objects written. An execution is checkpointed at every
 *   state and read back for the next checkpoint's condition; as text, that was half of all the
 *   text written and parsed in the engine bench (1.1 KB each, 10 checkpoints a journey).
 * - Most partitions hold one item under the sort key `_` (an event's record, a message's ledger,
 *   an execution): such a partition is that item alone, without a map of its own.
 * - Items past their `expiresAt` are swept as the clock passes them, as DynamoDB's TTL deletes them
 *   (ARCHITECTURE.md decision 3): not at once, so that a condition still finds an item that has
 *   just expired (as on DynamoDB), but SWEEP_AFTER_MS later, deterministically by the engine clock.
 *   Items are listed by the expiry they were written with, in one listing per hour (a week's
 *   backtest has a few hundred, however many distinct seconds its expiries fall on), with no key
 *   string built per item; the sweep checks each listed item's expiry as it stands then.
 */
import { BinaryHeap } from '../core/binary-heap';
import { compareUtf8 } from './conditions';
import { keys } from './keys';
import { copy, type IndexWrite, indexKey, inRange, KvTable, type KvWrite, type SkRange } from './kv-table';
import { type Item, TTL_ATTRIBUTE } from './port';

/**
 * An item as kept: its JSON text ({@link Cold} when it has an expiry), or, written through the
 * local-only view (the engine's executions and tokens, whose values are handed over and never
 * changed: see `localOnly`), the object itself.
 */
type Stored = string | Cold | Item;

/** The JSON text of an item with an expiry, and that expiry: the sweep checks it without parsing the text. */
class Cold {
  constructor(
    readonly text: string,
    readonly expiresAt: number,
  ) {}
}

/** A partition of more than one item, or of one whose sort key is not `_`. */
class Partition {
  readonly items = new Map<string, Stored>();
  /** The sort keys in order, or undefined when a key was added since they were sorted. */
  sorted?: string[];
}

/** How long after its expiry an item is swept (DynamoDB deletes expired items within days). */
export const SWEEP_AFTER_MS = 3_600_000;

/** A table in this process's memory. */
export class MemoryTable extends KvTable {
  /** A partition, or its only item when that item's sort key is `_`. */
  private readonly partitions = new Map<string, Partition | Stored>();
  /** The sparse index: by index partition, entry keys to the item keys they point at. */
  private readonly index = new Map<string, Map<string, { pk: string; sk: string }>>();
  /**
   * Where each indexed item stands in the index, by sort key and partition (profiles and pending
   * events). By sort key first: indexed items are written under a few (a profile's, an event's),
   * so a write under another is answered by a small map, and each indexed item costs one entry of
   * a large one, not a map of its own.
   */
  private readonly indexed = new Map<string, Map<string, { ipk: string; isk: string }>>();
  /** The items written with an expiry, by that expiry. */
  private readonly expiries = new Expiries();
  protected override readonly freshReads = true;

  constructor(now: () => number = Date.now) {
    super(now);
  }

  /** How many items the table holds (expired ones not yet swept included): what a backtest keeps. */
  get size(): number {
    let n = 0;
    for (const p of this.partitions.values()) n += p instanceof Partition ? p.items.size : 1;
    return n;
  }

  /** How many entries the listing of expiries holds (stale ones included): what it keeps in memory. */
  get listedExpiries(): number {
    return this.expiries.size;
  }

  protected read(pk: string, sk: string): Item | undefined {
    return this.decode(this.stored(pk, sk));
  }

  /**
   * An item as a read hands it out: a fresh copy parsed from its text; one held as an object is
   * handed over as it is to the local-only view, and copied for the other.
   */
  private decode(stored: Stored | undefined): Item | undefined {
    if (stored === undefined) return undefined;
    if (typeof stored === 'string' || stored instanceof Cold) return parsed(stored);
    return this.dynamoRules ? copy(stored) : stored;
  }

  protected override indexedAt(pk: string, sk: string): { ipk: string; isk: string } | undefined {
    return this.indexed.get(sk)?.get(pk);
  }

  protected range(pk: string, r: SkRange): Item[] {
    const part = this.partitions.get(pk);
    if (part === undefined) return [];
    if (!(part instanceof Partition)) return r.limit > 0 && inRange(keys.single, r) ? [this.decode(part)!] : [];
    part.sorted ??= [...part.items.keys()].sort(compareUtf8);
    const sorted = part.sorted;
    const out: Item[] = [];
    // From the first key the range can hold (found by halving): a query reads what it returns, not
    // the whole partition (a customer's holds their timeline, sessions, caps and instances).
    if (!r.reverse) {
      let i = 0;
      if (r.from !== undefined) i = Math.max(i, firstAbove(sorted, r.from, false));
      if (r.after !== undefined) i = Math.max(i, firstAbove(sorted, r.after, true));
      if (r.prefix !== undefined) i = Math.max(i, firstAbove(sorted, r.prefix, false));
      for (; i < sorted.length && out.length < r.limit; i++) {
        const sk = sorted[i];
        if (r.to !== undefined && compareUtf8(sk, r.to) > 0) break;
        if (r.before !== undefined && compareUtf8(sk, r.before) >= 0) break;
        // Keys with a prefix are next to each other in order: past them, nothing more is.
        if (r.prefix !== undefined && !sk.startsWith(r.prefix)) break;
        if (inRange(sk, r)) out.push(this.decode(part.items.get(sk))!);
      }
      return out;
    }
    let i = sorted.length;
    if (r.to !== undefined) i = Math.min(i, firstAbove(sorted, r.to, true));
    if (r.before !== undefined) i = Math.min(i, firstAbove(sorted, r.before, false));
    for (i--; i >= 0 && out.length < r.limit; i--) {
      const sk = sorted[i];
      if (r.from !== undefined && compareUtf8(sk, r.from) < 0) break;
      if (r.after !== undefined && compareUtf8(sk, r.after) <= 0) break;
      if (r.prefix !== undefined && !sk.startsWith(r.prefix) && compareUtf8(sk, r.prefix) < 0) break;
      if (inRange(sk, r)) out.push(this.decode(part.items.get(sk))!);
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

  /** Applied at once, and nothing to wait for: no promise. */
  protected commit(writes: KvWrite[], index: IndexWrite[]): undefined {
    this.sweep();
    this.applyIndex(index);
    for (const w of writes) {
      if (w.item === null) {
        if (expiryOf(this.remove(w.pk, w.sk)) !== undefined) this.expiries.forgot();
      } else this.store(w.item);
    }
    return undefined;
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
    // The local-only view hands its values over (its callers never change them): kept as they are,
    // they are not turned into text on every checkpoint and parsed back on the next step's read.
    const prev = this.place(pk, sk, this.dynamoRules ? cold(item) : item);
    const expiresAt = item[TTL_ATTRIBUTE];
    const before = expiryOf(prev);
    if (expiresAt !== before) {
      if (typeof expiresAt === 'number') this.expiries.add(expiresAt, pk, sk);
      if (before !== undefined) this.expiries.forgot();
    }
    this.setIndexed(pk, sk, indexKey(item));
  }

  private setIndexed(pk: string, sk: string, at: { ipk: string; isk: string } | undefined): void {
    let bySk = this.indexed.get(sk);
    if (!at) {
      bySk?.delete(pk);
      return;
    }
    if (!bySk) {
      bySk = new Map();
      this.indexed.set(sk, bySk);
    }
    bySk.set(pk, at);
  }

  private stored(pk: string, sk: string): Stored | undefined {
    const part = this.partitions.get(pk);
    if (part instanceof Partition) return part.items.get(sk);
    return sk === keys.single ? part : undefined;
  }

  /** Keep an item under its keys; what they held before, if anything. */
  private place(pk: string, sk: string, stored: Stored): Stored | undefined {
    const part = this.partitions.get(pk);
    if (part instanceof Partition) {
      const prev = part.items.get(sk);
      if (prev === undefined) part.sorted = undefined;
      part.items.set(sk, stored);
      return prev;
    }
    if (sk === keys.single) {
      this.partitions.set(pk, stored);
      return part;
    }
    if (part === undefined) this.partitions.set(pk, partitionOf([[sk, stored]]));
    else
      this.partitions.set(
        pk,
        partitionOf([
          [keys.single, part],
          [sk, stored],
        ]),
      );
    return undefined;
  }

  /** Delete an item; what was kept of it, if anything. */
  private remove(pk: string, sk: string): Stored | undefined {
    this.setIndexed(pk, sk, undefined);
    const part = this.partitions.get(pk);
    if (!(part instanceof Partition)) {
      if (part === undefined || sk !== keys.single) return undefined;
      this.partitions.delete(pk);
      return part;
    }
    const gone = part.items.get(sk);
    if (gone === undefined) return undefined;
    part.items.delete(sk);
    if (!part.items.size) this.partitions.delete(pk);
    else if (part.sorted) part.sorted.splice(firstAbove(part.sorted, sk, false), 1);
    return gone;
  }

  /** Delete the items (and their index entries) that expired more than SWEEP_AFTER_MS ago. */
  private sweep(): void {
    // Expiries are in seconds (DynamoDB's TTL attribute).
    const cutoff = (this.now() - SWEEP_AFTER_MS) / 1000;
    // Most writes find nothing due and nothing stale: no callbacks made for them.
    if (!this.expiries.anyDue(cutoff) && !this.expiries.staleToDrop()) return;
    this.expiries.takeDue(cutoff, (pk, sk) => {
      // Rewritten since with a later expiry (then listed under it too), or none, or deleted: not due.
      const at = expiryOf(this.stored(pk, sk));
      if (at === undefined || at > cutoff) return;
      const indexed = this.indexedAt(pk, sk);
      if (indexed) this.applyIndex([{ ...indexed, ref: null }]);
      this.remove(pk, sk);
    });
    this.expiries.dropStale((pk, sk) => expiryOf(this.stored(pk, sk)));
  }
}

/** The width of a listing of expiries, in seconds: a backtest of weeks has a few hundred listings, not one per second. */
const LISTING_SECONDS = 3600;

/**
 * Items by the expiry they were written with, listed by the hour it falls in. An item is listed
 * under each expiry it was written with (once per change of expiry); the sweep checks the expiry it
 * has now. An hour wholly past the cutoff is handed over as listed; the hour the cutoff is in is
 * sorted by expiry (once, and again only if an item is listed in it after that) and handed over up
 * to the cutoff, so each item is swept exactly as soon as its expiry is due, earliest first.
 * Entries of items since rewritten with another expiry or deleted (stale: an event's record gets a
 * day's expiry in place of its two weeks) are dropped once they are as many as the live ones.
 */
class Expiries {
  private readonly byHour = new Map<number, Listing>();
  /** The hours listed, earliest first. */
  private readonly hours = new BinaryHeap<number>((a, b) => a < b);
  /** Entries listed and not yet handed over. */
  private listed = 0;
  /** Of those, how many are known to be stale. */
  private stale = 0;

  get size(): number {
    return this.listed;
  }

  add(at: number, pk: string, sk: string): void {
    const hour = Math.floor(at / LISTING_SECONDS);
    let listing = this.byHour.get(hour);
    if (listing === undefined) {
      listing = new Listing(hour * LISTING_SECONDS);
      this.byHour.set(hour, listing);
      this.hours.push(hour);
    }
    listing.add(at, pk, sk);
    this.listed++;
  }

  /** An item listed under the expiry it had is no longer, or no longer with that expiry. */
  forgot(): void {
    this.stale++;
  }

  /** Whether an entry is listed under an expiry at or before `cutoff`. */
  anyDue(cutoff: number): boolean {
    if (!this.hours.size) return false;
    const listing = this.byHour.get(this.hours.peek()!)!;
    if (listing.start > cutoff) return false;
    return listing.start + LISTING_SECONDS <= cutoff || listing.firstAt() <= cutoff;
  }

  /** Whether dropStale has entries to drop. */
  staleToDrop(): boolean {
    return this.stale >= STALE_AFTER && this.stale * 2 >= this.listed;
  }

  /** Hand each key listed under an expiry at or before `cutoff` to `due`, earliest first, and forget them. */
  takeDue(cutoff: number, due: (pk: string, sk: string) => void): void {
    while (this.hours.size) {
      const hour = this.hours.peek()!;
      const listing = this.byHour.get(hour)!;
      if (listing.start > cutoff) return;
      const whole = listing.start + LISTING_SECONDS <= cutoff;
      this.listed -= listing.take(whole ? Number.POSITIVE_INFINITY : cutoff, due);
      if (!whole) return;
      this.hours.pop();
      this.byHour.delete(hour);
    }
  }

  /**
   * Drop the stale entries once they are as many as the others (`expiryNow`: the expiry the item
   * under a key has now, if any), so that keys of items long gone are not held until their old
   * expiry. Amortized, it costs a constant per entry listed.
   */
  dropStale(expiryNow: (pk: string, sk: string) => number | undefined): void {
    if (!this.staleToDrop()) return;
    this.listed = 0;
    for (const listing of this.byHour.values()) this.listed += listing.keepIf(expiryNow);
    this.stale = 0;
  }
}

/** How many stale entries there must be before they are dropped (a small table never bothers). */
const STALE_AFTER = 65_536;

/** The items of one hour's expiries: keys and expiries side by side, in the order listed or, once swept into, by expiry. */
class Listing {
  private pks: string[] = [];
  private sks: string[] = [];
  private ats: number[] = [];
  /** Entries before this one are handed over. */
  private taken = 0;
  /** Whether the entries not handed over are in order of expiry. */
  private sorted = false;

  constructor(readonly start: number) {}

  add(at: number, pk: string, sk: string): void {
    this.pks.push(pk);
    this.sks.push(sk);
    this.ats.push(at - this.start);
    this.sorted = false;
  }

  /** The earliest expiry not handed over (infinity when every entry is). */
  firstAt(): number {
    if (!this.sorted) this.sortRest();
    return this.taken < this.ats.length ? this.start + this.ats[this.taken] : Number.POSITIVE_INFINITY;
  }

  /** Hand over the entries with an expiry at or before `cutoff`; how many. */
  take(cutoff: number, due: (pk: string, sk: string) => void): number {
    const from = this.taken;
    if (cutoff === Number.POSITIVE_INFINITY) {
      for (let i = from; i < this.pks.length; i++) due(this.pks[i], this.sks[i]);
      this.taken = this.pks.length;
      return this.taken - from;
    }
    if (!this.sorted) this.sortRest();
    const until = cutoff - this.start;
    let i = from;
    for (; i < this.ats.length && this.ats[i] <= until; i++) due(this.pks[i], this.sks[i]);
    this.taken = i;
    // What is handed over is let go of once it is most of the listing.
    if (i > 1024 && i * 2 > this.pks.length) this.keep((j) => j >= i);
    return i - from;
  }

  /** Keep the entries not handed over whose item still has the expiry they were listed with; how many. */
  keepIf(expiryNow: (pk: string, sk: string) => number | undefined): number {
    this.keep((j) => j >= this.taken && expiryNow(this.pks[j], this.sks[j]) === this.start + this.ats[j]);
    return this.pks.length;
  }

  /** Put the entries not handed over in order of expiry (listing order among equal ones). */
  private sortRest(): void {
    const order: number[] = [];
    for (let j = this.taken; j < this.pks.length; j++) order.push(j);
    order.sort((a, b) => this.ats[a] - this.ats[b] || a - b);
    this.pks = [...this.pks.slice(0, this.taken), ...order.map((j) => this.pks[j])];
    this.sks = [...this.sks.slice(0, this.taken), ...order.map((j) => this.sks[j])];
    this.ats = [...this.ats.slice(0, this.taken), ...order.map((j) => this.ats[j])];
    this.sorted = true;
  }

  /** Keep only the entries `kept` says so of (in their order); nothing is handed over after. */
  private keep(kept: (j: number) => boolean): void {
    const pks: string[] = [];
    const sks: string[] = [];
    const ats: number[] = [];
    for (let j = 0; j < this.pks.length; j++) {
      if (!kept(j)) continue;
      pks.push(this.pks[j]);
      sks.push(this.sks[j]);
      ats.push(this.ats[j]);
    }
    this.pks = pks;
    this.sks = sks;
    this.ats = ats;
    this.taken = 0;
  }
}

/** The expiry of a stored item, if it has one. */
function expiryOf(stored: Stored | undefined): number | undefined {
  if (stored === undefined || typeof stored === 'string') return undefined;
  if (stored instanceof Cold) return stored.expiresAt;
  const at = stored[TTL_ATTRIBUTE];
  return typeof at === 'number' ? at : undefined;
}

/** An item kept as text (with its expiry beside it, when it has one). */
function cold(item: Item): string | Cold {
  const text = JSON.stringify(item);
  // V8 hands the text back in pieces (it builds it in parts of doubling length, joined); read once,
  // it is made one flat string, and the garbage collector then drops the pieces: a kept item costs
  // about its length (418 characters: 440 bytes in one piece, 584 in pieces).
  text.charCodeAt(0);
  const at = item[TTL_ATTRIBUTE];
  return typeof at === 'number' ? new Cold(text, at) : text;
}

/** An item from its JSON text. */
function parsed(stored: string | Cold): Item {
  return JSON.parse(typeof stored === 'string' ? stored : stored.text) as Item;
}

/** The index of the first sort key above `key` (`strictly`), or at or above it, in sort keys in UTF-8 order. */
function firstAbove(sorted: string[], key: string, strictly: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const c = compareUtf8(sorted[mid], key);
    if (c < 0 || (strictly && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function partitionOf(entries: [string, Stored][]): Partition {
  const p = new Partition();
  for (const [sk, stored] of entries) p.items.set(sk, stored);
  return p;
}
