/**
 * dynalite: the local stand-in for DynamoDB, in memory for simulate and tests, LevelDB on disk for
 * `baton dev`. `openLocalStore` binds a client to dynalite in this process (no socket, no SDK
 * middleware); `startLocalStore` serves it on loopback for clients that need an endpoint (the
 * Lambda handlers under test, which build their own SDK clients).
 */
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynaliteClient } from './dynalite-client';
import { Table } from './table';

// dynalite ships no types.
const dynalite = require('dynalite') as (opts: {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => import('node:http').Server;

export interface LocalStore {
  table: Table;
  close(): Promise<void>;
}

/** The store `baton dev` and `simulate` run on. */
export interface EmbeddedStore extends LocalStore {
  /**
   * Make what was deleted unrecoverable from the files under `path` (erasure: the store may keep
   * a deleted value on disk until it rewrites its files). Every embedded store must have one.
   */
  purge(): Promise<void>;
}

/** dynalite in this process (data on disk under `path`, else in memory), with the table ensured. */
export async function openLocalStore(opts: { path?: string; tableName?: string } = {}): Promise<EmbeddedStore> {
  const store = dynaliteClient({ path: opts.path });
  await store.open();
  const table = new Table(store.client, opts.tableName ?? 'baton');
  await table.ensureExists();
  return { table, purge: store.purge, close: store.close };
}

/** dynalite served on 127.0.0.1 (data on disk under `path`, else in memory), with the table ensured. */
export async function startLocalStore(
  opts: { path?: string; tableName?: string } = {},
): Promise<LocalStore & { endpoint: string }> {
  const server = dynalite({ path: opts.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
  const table = new Table(client, opts.tableName ?? 'baton');
  await table.ensureExists();
  return {
    table,
    endpoint,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
