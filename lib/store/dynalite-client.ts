/**
 * A DynamoDB client for the local store that hands each command's input straight to dynalite's own
 * validation and actions in this process. The commands, the wire-format JSON (the input goes
 * through a JSON round trip, as over HTTP) and the error types are those of the SDK; what is
 * skipped is the SDK's middleware (endpoint resolution, SigV4 signing, retries, serde) and a
 * socket per call, which took about three quarters of a local run's time.
 * The SDK client itself is still exercised against dynalite over loopback by the Lambda tests.
 */
import { Readable } from 'node:stream';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ResourceNotFoundException,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';

// dynalite ships no types: its store, and per operation a validation table and an action.
interface LevelIterator {
  next(): Promise<unknown>;
  close(): Promise<void>;
}
interface LevelDb {
  open(options?: { compression: boolean }): Promise<void>;
  compactRange(start: string, end: string): Promise<void>;
  close(cb: (err?: Error | null) => void): void;
  keys(options: unknown): LevelIterator;
  values(options: unknown): LevelIterator;
  createKeyStream(options: unknown): Readable;
  createValueStream(options: unknown): Readable;
}
type TableCallback = (err: Error | null, table?: { TableStatus?: string }) => void;
interface DynaliteStore {
  lifecycleManager?: { gracefulClose(cb: (err?: Error | null) => void): void };
  db: LevelDb;
  getTable(name: string, checkStatus: boolean | TableCallback, cb?: TableCallback): void;
}
type Action = (store: DynaliteStore, data: unknown, cb: (err: DynaliteError | null, out?: unknown) => void) => void;
interface DynaliteError extends Error {
  statusCode?: number;
  body?: { __type?: string; message?: string };
}
const db = require('dynalite/db') as { create(opts: Record<string, unknown>): DynaliteStore };
const validations = require('dynalite/validations') as {
  checkTypes(data: unknown, types: unknown): unknown;
  checkValidations(data: unknown, types: unknown, custom: unknown, store: DynaliteStore): void;
};

const OPERATIONS = new Map<unknown, string>([
  [GetItemCommand, 'getItem'],
  [PutItemCommand, 'putItem'],
  [UpdateItemCommand, 'updateItem'],
  [DeleteItemCommand, 'deleteItem'],
  [QueryCommand, 'query'],
  [ScanCommand, 'scan'],
  [BatchGetItemCommand, 'batchGetItem'],
  [BatchWriteItemCommand, 'batchWriteItem'],
  [CreateTableCommand, 'createTable'],
  [DescribeTableCommand, 'describeTable'],
]);

const loaded = new Map<string, { action: Action; types: unknown; custom: unknown }>();
function operation(name: string) {
  let op = loaded.get(name);
  if (!op) {
    const v = require(`dynalite/validations/${name}`) as { types: unknown; custom: unknown };
    op = { action: require(`dynalite/actions/${name}`) as Action, types: v.types, custom: v.custom };
    loaded.set(name, op);
  }
  return op;
}

/**
 * dynalite 4 turns LevelDB iterators into streams whose destroy calls `iterator.return`, which
 * abstract-level 3 iterators do not have: no query or scan ever closed its iterator, and each one
 * kept its snapshot and read buffer (about 14 KB of native memory per query, 550 MB after 40,000).
 * The same streams, closing their iterator when they end or are destroyed.
 */
function closeIterators(db: LevelDb): Set<Promise<void>> {
  // Open iterators, each as the promise of its close.
  const open = new Set<Promise<void>>();
  const stream = (iterator: LevelIterator) => {
    let release = () => {};
    const closed = new Promise<void>((resolve) => {
      release = resolve;
    });
    open.add(closed);
    return new Readable({
      objectMode: true,
      read() {
        iterator.next().then(
          (value) => this.push(value === undefined ? null : value),
          (err) => this.destroy(err as Error),
        );
      },
      destroy(err, callback) {
        const done = () => {
          open.delete(closed);
          release();
          callback(err);
        };
        iterator.close().then(done, done);
      },
    });
  };
  db.createKeyStream = (options) => stream(db.keys(options));
  db.createValueStream = (options) => stream(db.values(options));
  return open;
}

/**
 * dynalite reads and decodes the table's description from LevelDB on every request. Item requests
 * never change it, so an ACTIVE description is kept in memory until a table request (create,
 * update, delete) may change it. Returns the function that forgets it.
 */
function cacheTables(store: DynaliteStore): () => void {
  const active = new Map<string, { TableStatus?: string }>();
  const read = store.getTable.bind(store);
  store.getTable = (name, checkStatus, cb) => {
    const done = (typeof checkStatus === 'function' ? checkStatus : cb) as TableCallback;
    const known = active.get(name);
    if (known) return process.nextTick(done, null, known);
    read(name, checkStatus === done ? true : checkStatus, (err, table) => {
      if (!err && table?.TableStatus === 'ACTIVE') active.set(name, table);
      done(err, table);
    });
  };
  return () => active.clear();
}

/** The SDK's exception for a dynalite error body, so callers' `instanceof` checks hold as on AWS. */
function toSdkError(err: DynaliteError): Error {
  if (!err.statusCode || !err.body) return err;
  const name = (err.body.__type ?? 'InternalServerError').split('#').pop() as string;
  const message = err.body.message ?? name;
  const $metadata = { httpStatusCode: err.statusCode };
  if (name === 'ConditionalCheckFailedException') return new ConditionalCheckFailedException({ message, $metadata });
  if (name === 'ResourceNotFoundException') return new ResourceNotFoundException({ message, $metadata });
  return new DynamoDBServiceException({
    name,
    message,
    $fault: err.statusCode >= 500 ? 'server' : 'client',
    $metadata,
  });
}

/** The data directory's LevelDB is held by another process (another `baton dev`, most likely). */
export class StoreLockedError extends Error {
  override readonly name = 'StoreLockedError';
  constructor(
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(`the store in ${path} is open in another process`, options);
  }
}

export interface DynaliteClient {
  client: DynamoDBClient;
  /** Open the store now: a store another process holds fails here with a StoreLockedError. */
  open(): Promise<void>;
  /** LevelDB iterators not yet closed (queries and scans in progress). */
  openIterators(): number;
  /** Make what was deleted unrecoverable from the files on disk (erasure); nothing to do in memory. */
  purge(): Promise<void>;
  close(): Promise<void>;
}

/** How long a purge waits for the queries in progress to let go of their snapshots. */
const PURGE_WAIT_MS = 5_000;

/** A dynalite store (LevelDB under `path`, else in memory) and a client bound to it. */
export function dynaliteClient(opts: { path?: string }): DynaliteClient {
  const store = db.create({ path: opts.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // Opened by us before dynalite's own open (a microtask later), without snappy: compressed
  // blocks would hide values from anyone who checks the files, as an erasure audit greps the data
  // directory for an erased address. The local store trades some disk for files that can be checked.
  if (opts.path) store.db.open({ compression: false }).catch(() => undefined);
  const iterators = closeIterators(store.db);
  const forgetTables = cacheTables(store);
  async function send(command: { input: unknown; constructor: unknown }): Promise<unknown> {
    const name = OPERATIONS.get(command.constructor);
    if (!name)
      throw new Error(`the local store does not support ${String((command.constructor as { name?: string }).name)}`);
    const { action, types, custom } = operation(name);
    if (name.endsWith('Table') && name !== 'describeTable') forgetTables();
    // The input as it would travel: JSON (undefined members dropped, nothing shared with the caller).
    let data = JSON.parse(JSON.stringify(command.input));
    try {
      data = validations.checkTypes(data, types);
      validations.checkValidations(data, types, custom, store);
    } catch (err) {
      throw toSdkError(err as DynaliteError);
    }
    const out = await new Promise<unknown>((resolve, reject) =>
      action(store, data, (err, result) => (err ? reject(toSdkError(err)) : resolve(result))),
    );
    return { ...(JSON.parse(JSON.stringify(out ?? {})) as object), $metadata: { httpStatusCode: 200 } };
  }
  const client = { send, destroy() {} } as unknown as DynamoDBClient;
  return {
    client,
    openIterators: () => iterators.size,
    // LevelDB opens on first use, where a lock held elsewhere surfaces only as "Database is closed".
    open: () =>
      store.db.open({ compression: false }).catch((err: { cause?: { code?: string } }) => {
        throw err?.cause?.code === 'LEVEL_LOCKED' ? new StoreLockedError(opts.path ?? 'memory', { cause: err }) : err;
      }),
    purge: async () => {
      if (!opts.path) return;
      // LevelDB keeps a deleted value in its log and table files until a compaction rewrites
      // them, and a compaction keeps what a snapshot may still read: the iterators of queries in
      // progress are let finish, then the whole key space (every key starts with an ASCII
      // sub-database name, below \x7f) is compacted.
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, PURGE_WAIT_MS);
      });
      await Promise.race([Promise.all([...iterators]), waited]);
      clearTimeout(timer);
      await store.db.compactRange('', '\x7f');
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        const done = (err?: Error | null) => (err ? reject(err) : resolve());
        if (store.lifecycleManager) store.lifecycleManager.gracefulClose(done);
        else store.db.close(done);
      }),
  };
}
