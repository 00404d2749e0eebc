/**
 * dynalite served on loopback: DynamoDB for code that builds its own SDK client (the Lambda
 * handlers under test), behind the DynamoDB adapter of the Table port.
 */
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoTable } from './dynamo-table';

// dynalite ships no types.
const dynalite = require('dynalite') as (opts: {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => import('node:http').Server;

/** A table and how to close what holds it. */
export interface LocalStore {
  table: DynamoTable;
  close(): Promise<void>;
}

/** dynalite served on 127.0.0.1 (in memory), with the table ensured. */
export async function startLocalStore(
  opts: { tableName?: string; now?: () => number } = {},
): Promise<LocalStore & { endpoint: string }> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
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
  const table = new DynamoTable(client, opts.tableName ?? 'baton', opts.now);
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
