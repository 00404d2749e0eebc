/**
 * Run by group-commit.test.ts as a process of its own, which it kills itself: opens the LMDB table
 * in the directory given, writes BEFORE items, waits for the barrier, says so on stdout, then
 * issues AFTER more writes and dies by SIGKILL at once (no barrier, no close): what a kill -9 of
 * `baton dev` leaves right after an answer.
 */
import { join } from 'node:path';
import { LmdbTable } from '../../lib/store/lmdb-table';

export const BEFORE = 3000;
export const AFTER = 3000;

async function main(dir: string): Promise<void> {
  const table = new LmdbTable(join(dir, 'baton.lmdb'));
  for (let i = 0; i < BEFORE; i++) await table.put({ pk: `K#${i}`, sk: '_', n: i });
  await table.flushed();
  process.stdout.write('flushed\n');
  for (let i = BEFORE; i < BEFORE + AFTER; i++) await table.put({ pk: `K#${i}`, sk: '_', n: i });
  process.kill(process.pid, 'SIGKILL');
}

if (require.main === module) void main(process.argv[2]);
