/**
 * The embedded durable adapter of the Table port, for `baton dev`: LMDB through the `lmdb`
 * package, in one file under the data dir. Keys are `pk NUL sk` in UTF-8, so LMDB's byte order is
 * DynamoDB's key order.
 *
 * Group commit: a write resolves once it is taken into an overlay (visible to every read at once,
 * so a condition always meets the latest write), not once it is committed, so an execution
 * advancing one step at a time does not wait for a commit per write. The writes taken in one turn
 * of the event loop go to lmdb together, as one transaction holding the latest write of each key
 * (the state of the table at that moment), and lmdb commits them in the order they were issued:
 * what a kill -9 leaves behind is always the table as it was at the end of some group, never a
 * later write without an earlier one. Before anything leaves the process — an HTTP answer, a
 * webhook call, an erasure's compaction, close — the caller waits for `flushed()`: every write
 * taken so far is committed. Commits reach the OS without fsync (`noSync`): a killed process loses
 * nothing it answered or sent after a barrier, a power cut may lose the last commits.
 */
import { createHash } from 'node:crypto';
import { renameSync, rmSync } from 'node:fs';
import { type Database, open, type RootDatabase } from 'lmdb';
import { compareUtf8 } from './conditions';
import { type IndexWrite, inRange, KvTable, type KvWrite, type SkRange } from './kv-table';
import type { Item } from './port';

const NUL = Buffer.from([0]);
/** No UTF-8 byte is 0xFF, so a prefix followed by it is above every key with that prefix. */
const HIGH = Buffer.from([0xff]);

/**
 * LMDB keys hold at most 1,978 bytes; DynamoDB's hold 2,048 + 1,024. A partition key longer than
 * LONG_PK bytes is stored as its first bytes and a digest: still unique, still under a prefix
 * scan of its first bytes, and the sort key after it keeps its order. Items carry their real keys.
 */
const LONG_PK = 900;
const pkBytes = new Map<string, Buffer>();

function pkKey(pk: string): Buffer {
  let b = pkBytes.get(pk);
  if (b) return b;
  b = Buffer.from(pk, 'utf8');
  if (b.length > LONG_PK) {
    const digest = createHash('sha256').update(b).digest('hex');
    // Cut on a character boundary (never inside a UTF-8 sequence), then a marker no key contains.
    let cut = LONG_PK - 70;
    while (cut > 0 && (b[cut] & 0xc0) === 0x80) cut--;
    b = Buffer.concat([b.subarray(0, cut), Buffer.from(`\u0001${digest}`, 'utf8')]);
  }
  if (pkBytes.size > 10_000) pkBytes.clear();
  pkBytes.set(pk, b);
  return b;
}

function keyOf(pk: string, sk = ''): Buffer {
  const p = pkKey(pk);
  const key = Buffer.allocUnsafe(p.length + 1 + Buffer.byteLength(sk, 'utf8'));
  p.copy(key);
  key[p.length] = 0;
  key.write(sk, p.length + 1, 'utf8');
  return key;
}

/**
 * How many writes may be taken and not yet committed before a write waits for its commit. lmdb
 * commits on the next turn of the event loop, and writes that resolve at once never yield to it:
 * this bounds the overlay (memory), and how long a run of writes (events processed back to back)
 * keeps the HTTP server from answering (lmdb writes about 430,000 puts a second when they come
 * together: a few milliseconds for this many).
 */
export const MAX_UNCOMMITTED = 1_000;

/** A commit of issued writes failed: what was issued since the last barrier is lost, and the table takes nothing more. */
export class StoreCommitError extends Error {
  override readonly name = 'StoreCommitError';
}

/** A write taken and not yet committed; the token tells a later write of the same key from it. */
interface Pending {
  item: Item | null;
  token: object;
}

/**
 * Everything of a table that changes after it is built (the file, reopened by a compaction; the
 * group being taken; the commits in flight), in one object that every view of the table shares.
 * The local-only view is `Object.create(table)`: a field reassigned through it would become the
 * view's own and hide the table's, and the two would then issue groups and wait for commits apart.
 */
interface Shared {
  /** The file: it holds only the names of the two databases below. */
  root: RootDatabase;
  /** The items, by `pk NUL sk`. */
  db: Database<Item, Buffer>;
  /** The sparse index, in a database of its own in the same file: entry key to the item's keys. */
  indexDb: Database<{ pk: string; sk: string }, Buffer>;
  /** Writes taken since the last commit was issued, by `pk NUL sk`: the latest of each key. */
  group: Map<string, { w: KvWrite; token: object }>;
  /** The index changes of the group, by entry: the last of each. */
  groupIndex: Map<string, IndexWrite>;
  /** Whether the group is to be issued on the next turn of the event loop. */
  groupScheduled: boolean;
  /** Writes issued to lmdb and not yet committed. */
  uncommitted: number;
  /** Settles once the last batch issued is committed (lmdb commits in order: every earlier one too). */
  lastCommit: Promise<void>;
  /** Why a commit failed: from then on every operation fails with it. */
  failure: StoreCommitError | undefined;
}

/** A table in an LMDB file. */
export class LmdbTable extends KvTable {
  private readonly s: Shared;
  /** Writes issued and not yet committed, by partition and sort key. */
  private readonly pending = new Map<string, Map<string, Pending>>();

  constructor(
    readonly path: string,
    now: () => number = Date.now,
  ) {
    super(now);
    const [root, db, indexDb] = LmdbTable.openFile(path);
    this.s = {
      root,
      db,
      indexDb,
      group: new Map(),
      groupIndex: new Map(),
      groupScheduled: false,
      uncommitted: 0,
      lastCommit: Promise.resolve(),
      failure: undefined,
    };
  }

  private static openFile(
    path: string,
  ): [RootDatabase, Database<Item, Buffer>, Database<{ pk: string; sk: string }, Buffer>] {
    const root = open({ path, noSync: true, maxDbs: 4 });
    return [
      root,
      root.openDB<Item, Buffer>({ name: 'items', keyEncoding: 'binary' }),
      root.openDB<{ pk: string; sk: string }, Buffer>({ name: 'gsi1', keyEncoding: 'binary' }),
    ];
  }

  /**
   * Rewrite the file with only what it holds now. LMDB keeps freed pages, with whatever they held,
   * until it reuses them: after an erasure the deleted values must leave the data dir's files, so
   * the file is replaced by a compacted copy (operations wait meanwhile).
   */
  async compact(): Promise<void> {
    let release = () => {};
    const previous = this.gate;
    this.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    const copy = `${this.path}.compacting`;
    try {
      await this.flushed();
      rmSync(copy, { force: true });
      await this.s.root.backup(copy, true);
      await this.s.root.close();
      renameSync(copy, this.path);
      [this.s.root, this.s.db, this.s.indexDb] = LmdbTable.openFile(this.path);
    } finally {
      this.gate = undefined;
      release();
    }
  }

  protected read(pk: string, sk: string): Item | undefined {
    if (this.s.failure) throw this.s.failure;
    const p = this.pending.get(pk)?.get(sk);
    if (p) return p.item ?? undefined;
    return this.s.db.get(keyOf(pk, sk));
  }

  protected range(pk: string, r: SkRange): Item[] {
    if (this.s.failure) throw this.s.failure;
    const overlay = this.pending.get(pk);
    const extra = overlay ? overlay.size : 0;
    const rows = this.committedRange(pk, r, r.limit + extra);
    if (!overlay) return rows;
    const merged = new Map(rows.map((i) => [i.sk, i]));
    for (const [sk, p] of overlay) {
      if (!inRange(sk, r)) continue;
      if (p.item) merged.set(sk, p.item);
      else merged.delete(sk);
    }
    const keys = [...merged.keys()].sort(compareUtf8);
    if (r.reverse) keys.reverse();
    return keys.slice(0, r.limit).map((k) => merged.get(k)!);
  }

  /** At most `limit` committed items of a partition in the range, starting at the nearest bound. */
  private committedRange(pk: string, r: SkRange, limit: number): Item[] {
    const out: Item[] = [];
    if (limit <= 0) return out;
    const prefix = r.prefix ?? '';
    let options: { start: Buffer; end: Buffer; reverse?: boolean };
    if (!r.reverse) {
      const lows: Buffer[] = [keyOf(pk, prefix)];
      if (r.from !== undefined) lows.push(keyOf(pk, r.from));
      if (r.after !== undefined) lows.push(Buffer.concat([keyOf(pk, r.after), NUL]));
      options = {
        start: lows.reduce((a, b) => (Buffer.compare(a, b) >= 0 ? a : b)),
        end: Buffer.concat([keyOf(pk, prefix), HIGH]),
      };
    } else {
      const highs: Buffer[] = [Buffer.concat([keyOf(pk, prefix), HIGH])];
      if (r.to !== undefined) highs.push(Buffer.concat([keyOf(pk, r.to), NUL]));
      if (r.before !== undefined) highs.push(keyOf(pk, r.before));
      // Reverse ranges end before `end`: the partition's own name, below every key of it.
      options = {
        start: highs.reduce((a, b) => (Buffer.compare(a, b) <= 0 ? a : b)),
        end: pkKey(pk),
        reverse: true,
      };
    }
    for (const { value } of this.s.db.getRange(options)) {
      const { sk } = value;
      if (inRange(sk, r)) {
        out.push(value);
        if (out.length >= limit) break;
      } else if (
        r.reverse
          ? compareUtf8(sk, prefix) < 0 || (r.from !== undefined && compareUtf8(sk, r.from) < 0)
          : r.to !== undefined && compareUtf8(sk, r.to) > 0
      ) {
        break; // past the far bound: nothing further is in range
      }
    }
    return out;
  }

  protected scan(prefix: string, after: { pk: string; sk: string } | undefined, limit: number): Item[] {
    if (this.s.failure) throw this.s.failure;
    const start = after ? Buffer.concat([keyOf(after.pk, after.sk), NUL]) : Buffer.from(prefix, 'utf8');
    const end = Buffer.concat([Buffer.from(prefix, 'utf8'), HIGH]);
    const rows = new Map<string, Item>();
    let n = 0;
    const extra = [...this.pending.keys()].filter((pk) => pk.startsWith(prefix)).length;
    for (const { value } of this.s.db.getRange({ start, end })) {
      if (!value.pk.startsWith(prefix)) continue;
      rows.set(`${value.pk}\u0000${value.sk}`, value);
      if (++n >= limit + extra) break;
    }
    for (const [pk, overlay] of this.pending) {
      if (!pk.startsWith(prefix)) continue;
      for (const [sk, p] of overlay) {
        const k = `${pk}\u0000${sk}`;
        if (after && compareUtf8(k, `${after.pk}\u0000${after.sk}`) <= 0) continue;
        if (p.item) rows.set(k, p.item);
        else rows.delete(k);
      }
    }
    return [...rows.keys()]
      .sort(compareUtf8)
      .slice(0, limit)
      .map((k) => rows.get(k)!);
  }

  protected indexRefs(ipk: string): { pk: string; sk: string }[] {
    const start = keyOf(ipk);
    const end = Buffer.concat([start, HIGH]);
    return [...this.s.indexDb.getRange({ start, end })].map(({ value }) => value);
  }

  protected override settle(): Promise<void> {
    return this.flushed();
  }

  /**
   * Take writes into the overlay and the group of the next commit: resolves at once, or once they
   * are committed when MAX_UNCOMMITTED writes are waiting for a commit.
   */
  protected commit(writes: KvWrite[], index: IndexWrite[]): Promise<void> {
    if (this.s.failure) return Promise.reject(this.s.failure);
    for (const w of writes) {
      const token = {};
      let overlay = this.pending.get(w.pk);
      if (!overlay) {
        overlay = new Map();
        this.pending.set(w.pk, overlay);
      }
      overlay.set(w.sk, { item: w.item, token });
      this.s.group.set(`${w.pk}\u0000${w.sk}`, { w, token });
    }
    for (const i of index) this.s.groupIndex.set(`${i.ipk}\u0000${i.isk}`, i);
    if (!this.s.groupScheduled) {
      this.s.groupScheduled = true;
      setImmediate(() => this.issue());
    }
    return this.s.uncommitted + this.s.group.size > MAX_UNCOMMITTED ? this.flushed() : Promise.resolve();
  }

  /**
   * Hand the group to lmdb as one transaction: the latest write of each key only (what an earlier
   * one wrote is overwritten in the same commit, so it is not encoded at all: an execution is
   * checkpointed at every state), and the index changes, the last of each entry.
   */
  private issue(): void {
    this.s.groupScheduled = false;
    if (!this.s.group.size && !this.s.groupIndex.size) return;
    const writes = [...this.s.group.values()];
    const index = [...this.s.groupIndex.values()];
    this.s.group = new Map();
    this.s.groupIndex = new Map();
    const done = this.s.root.batch(() => {
      for (const { w } of writes) void this.apply(w);
      for (const i of index) {
        const key = keyOf(i.ipk, i.isk);
        void (i.ref ? this.s.indexDb.put(key, i.ref) : this.s.indexDb.remove(key));
      }
    });
    this.s.uncommitted += writes.length;
    this.s.lastCommit = done.then(
      () => {
        this.s.uncommitted -= writes.length;
        for (const { w, token } of writes) {
          const overlay = this.pending.get(w.pk);
          if (overlay?.get(w.sk)?.token !== token) continue; // a later write of this key is pending
          overlay.delete(w.sk);
          if (!overlay.size) this.pending.delete(w.pk);
        }
      },
      (err: unknown) => {
        // The overlay keeps what never committed: nothing reads it, every operation fails from now on.
        this.s.failure ??= new StoreCommitError(`a commit to ${this.path} failed: ${String(err)}`, { cause: err });
      },
    );
  }

  /**
   * Resolve once every write taken so far is committed (the barrier before anything leaves the
   * process); reject when a commit failed.
   */
  override async flushed(): Promise<void> {
    this.issue();
    await this.s.lastCommit;
    if (this.s.failure) throw this.s.failure;
  }

  private apply(w: KvWrite): Promise<boolean> {
    const key = keyOf(w.pk, w.sk);
    return w.item ? this.s.db.put(key, w.item) : this.s.db.remove(key);
  }

  /** Wait for every write issued so far to commit, then close the file. */
  async close(): Promise<void> {
    await this.flushed();
    await this.s.root.close();
  }
}
