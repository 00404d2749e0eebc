/**
 * The store the local engine runs on: LMDB in the data dir for `baton dev` (one process at a
 * time), memory for `baton simulate` and the tests. A data dir written by Baton's earlier store
 * (dynalite over LevelDB) is refused with what to do, or migrated when asked.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { lockDataDir } from './data-dir-lock';
import { LmdbTable } from './lmdb-table';
import { MemoryTable } from './memory-table';
import type { Item, Table } from './port';

/** The store `baton dev` and `simulate` run on. */
export interface EmbeddedStore {
  /** Held to DynamoDB's rules: what the use cases read and write, as they would on AWS. */
  table: Table;
  /** The same data, for records that exist only locally (the engine's executions, the outbox). */
  localTable: Table;
  /**
   * Make what was deleted unrecoverable from the files of the data dir (erasure): LMDB keeps freed
   * pages until it reuses them, so the file is rewritten. Nothing to do in memory.
   */
  purge(): Promise<void>;
  /**
   * Resolve once every write issued so far is durable: LMDB's writes resolve once issued and
   * commit in groups, so whatever tells the outside world about them (an HTTP answer, a webhook
   * call) waits here first. At once in memory.
   */
  flushed(): Promise<void>;
  close(): Promise<void>;
  /** How many items the store holds, expired ones not yet swept included (memory only: what a backtest keeps). */
  itemCount?(): number;
}

/** The data dir holds the earlier store's files and was not asked to migrate them. */
export class LegacyStoreError extends Error {
  override readonly name = 'LegacyStoreError';
  constructor(readonly dir: string) {
    super(
      `${dir} holds data written by Baton's earlier store (dynalite on LevelDB): start once with --migrate-store to copy it into the new store (the old files are removed once every item is copied), or use a new --data-dir`,
    );
  }
}

/** The LMDB file in a data dir. */
export const STORE_FILE = 'baton.lmdb';

/** LevelDB's own files, which dynalite wrote straight into the data dir. */
const LEVELDB_FILE = /^(CURRENT|LOCK|LOG|LOG\.old|MANIFEST-\d+|\d+\.(ldb|log|sst))$/;

/**
 * Open the local store: LMDB under `path` (taking the data dir for this process), or memory.
 * `now` is the engine's clock, which TTL is read against.
 */
export async function openLocalStore(
  opts: { path?: string; now?: () => number; migrateLegacy?: boolean } = {},
): Promise<EmbeddedStore> {
  const now = opts.now ?? Date.now;
  if (!opts.path) {
    const table = new MemoryTable(now);
    return {
      table,
      localTable: table.localOnly(),
      purge: async () => {},
      flushed: async () => {},
      close: async () => {},
      itemCount: () => table.size,
    };
  }
  const dir = opts.path;
  mkdirSync(dir, { recursive: true });
  const release = lockDataDir(dir);
  try {
    const legacy = readdirSync(dir).filter((f) => LEVELDB_FILE.test(f));
    if (legacy.length && !opts.migrateLegacy) throw new LegacyStoreError(dir);
    const table = new LmdbTable(join(dir, STORE_FILE), now);
    if (legacy.length) await migrateLegacy(dir, legacy, table);
    return {
      table,
      localTable: table.localOnly(),
      purge: () => table.compact(),
      flushed: () => table.flushed(),
      close: async () => {
        await table.close();
        release();
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}

/** Copy every item of the dynalite store in `dir` into `table`, check the count, then remove the old files. */
async function migrateLegacy(dir: string, files: string[], table: LmdbTable): Promise<number> {
  // Loaded for a migration only: dynalite, LevelDB and the DynamoDB client cost every start ~0.2 s of CPU.
  const [{ dynaliteClient }, { DynamoTable }] = await Promise.all([
    import('./dynalite-client'),
    import('./dynamo-table'),
  ]);
  const old = dynaliteClient({ path: dir });
  await old.open();
  let copied = 0;
  try {
    const source = new DynamoTable(old.client, 'baton');
    for await (const page of source.scanPrefixPages('')) {
      await table.write(page.map((item: Item) => ({ put: item })));
      copied += page.length;
    }
    // Committed before the old files go: the copy's writes resolve once issued.
    await table.flushed();
    const written = (await table.scanPrefix('')).length;
    if (written < copied) throw new Error(`migration copied ${copied} items but the new store holds ${written}`);
  } finally {
    await old.close();
  }
  // LevelDB rewrote some of its files on opening: remove what is there now, not what was.
  for (const f of [...files, ...readdirSync(dir)]) if (LEVELDB_FILE.test(f)) rmSync(join(dir, f), { force: true });
  return copied;
}
