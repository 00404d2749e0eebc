/**
 * The LMDB adapter (lib/store/lmdb-table.ts) keeps the items the local-only view wrote last: read
 * back through that view without decoding, never shadowing a later write through the other view.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LmdbTable, RECENT_LOCAL_ITEMS } from '../../lib/store/lmdb-table';
import { when } from '../../lib/store/port';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-lmdb-values-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const execution = (seq: number) => ({
  pk: 'X#arn:aws:states:us-east-1:000000000000:execution:cart:1',
  sk: '_',
  execution: { seq, state: 'wait', input: { customerId: 'c-1', cart: { items: [{ sku: 'a', n: 2 }] } } },
});

test('the local-only view reads back what it wrote after the commit; a write through the other view replaces it', async () => {
  const table = new LmdbTable(join(dir, 'baton.lmdb'));
  const local = table.localOnly();
  const first = execution(1);
  await local.put(first);
  await table.flushed();
  // Committed, and read back as the object handed over (the view never copies).
  expect(await local.get(first.pk, '_')).toBe(first);
  // A condition on it holds against what was written last.
  expect(await local.put(execution(2), { if: when.equals('execution.seq', 1) })).toBe(true);
  expect(await local.put(execution(3), { if: when.equals('execution.seq', 1) })).toBe(false);
  await table.flushed();
  // Written through the other view: the local view reads that, not what it wrote before.
  await table.put({ ...execution(7), execution: { seq: 7 } });
  await table.flushed();
  expect(await local.get(first.pk, '_')).toEqual({ ...execution(7), execution: { seq: 7 } });
  await local.delete(first.pk, '_');
  await table.flushed();
  expect(await local.get(first.pk, '_')).toBeUndefined();
  await table.close();
});

test('only the last RECENT_LOCAL_ITEMS items are kept; older ones are decoded from the file, equal to what was written', async () => {
  const path = join(dir, 'baton.lmdb');
  const table = new LmdbTable(path);
  const local = table.localOnly();
  const written = Array.from({ length: RECENT_LOCAL_ITEMS + 5 }, (_, i) => ({ pk: `X#${i}`, sk: '_', n: i }));
  for (const item of written) await local.put(item);
  await table.flushed();
  const oldest = await local.get('X#0', '_');
  expect(oldest).toEqual(written[0]);
  expect(oldest).not.toBe(written[0]);
  expect(await local.get(`X#${RECENT_LOCAL_ITEMS + 4}`, '_')).toBe(written[RECENT_LOCAL_ITEMS + 4]);
  await table.close();
});
