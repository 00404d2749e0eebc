/**
 * dynalite in-process on loopback: the local stand-in for DynamoDB. In memory for simulate and
 * tests, LevelDB on disk for `baton dev`. The same SDK client code talks to it as to AWS.
 */
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inProcessHandler } from './in-process-handler';
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
  endpoint: string;
  close(): Promise<void>;
}

/** Start dynalite on 127.0.0.1 (data on disk under `path`, else in memory) and ensure the table. */
export async function startLocalStore(
  opts: { path?: string; tableName?: string; inProcess?: boolean } = {},
): Promise<LocalStore> {
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
    // In-process: no socket per call (the loopback endpoint stays up for other clients).
    ...(opts.inProcess
      ? { requestHandler: inProcessHandler(server.listeners('request')[0] as Parameters<typeof inProcessHandler>[0]) }
      : {}),
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
