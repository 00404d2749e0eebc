/**
 * The in-memory adapter of the Table port, for `baton simulate` and tests: partitions in a map,
 * each with its sort keys kept in UTF-8 order (sorted when a range read needs them after a new
 * key). Nothing survives the process; everything else behaves as the durable adapters do.
 */
import { compareUtf8 } from './conditions';
import { type IndexWrite, inRange, KvTable, type KvWrite, type SkRange } from './kv-table';
import type { Item } from './port';

interface Partition {
  items: Map<string, Item>;
  /** The sort keys in order, or undefined when a key was added since they were sorted. */
  sorted?: string[];
}

/** A table in this process's memory. */
export class MemoryTable extends KvTable {
  private readonly partitions = new Map<string, Partition>();
  /** The sparse index: by index partition, entry keys to the item keys they point at. */
  private readonly index = new Map<string, Map<string, { pk: string; sk: string }>>();

  constructor(now: () => number = Date.now) {
    super(now);
  }

  protected read(pk: string, sk: string): Item | undefined {
    return this.partitions.get(pk)?.items.get(sk);
  }

  protected range(pk: string, r: SkRange): Item[] {
    const part = this.partitions.get(pk);
    if (!part) return [];
    part.sorted ??= [...part.items.keys()].sort(compareUtf8);
    const keys = r.reverse ? [...part.sorted].reverse() : part.sorted;
    const out: Item[] = [];
    for (const sk of keys) {
      if (out.length >= r.limit) break;
      if (inRange(sk, r)) out.push(part.items.get(sk)!);
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
    for (const w of writes) {
      let part = this.partitions.get(w.pk);
      if (w.item === null) {
        if (!part?.items.delete(w.sk)) continue;
        part.sorted = part.sorted?.filter((k) => k !== w.sk);
        if (!part.items.size) this.partitions.delete(w.pk);
        continue;
      }
      if (!part) {
        part = { items: new Map() };
        this.partitions.set(w.pk, part);
      }
      if (!part.items.has(w.sk)) part.sorted = undefined;
      part.items.set(w.sk, w.item);
    }
  }
}
