/**
 * The local store's data dir: one process at a time, and a data dir of the earlier store
 * (dynalite on LevelDB) refused with what to do, or copied over when asked.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLockedError } from '../../lib/store/data-dir-lock';
import { dynaliteClient } from '../../lib/store/dynalite-client';
import { DynamoTable } from '../../lib/store/dynamo-table';
import { LegacyStoreError, openLocalStore } from '../../lib/store/local-store';

const fresh = () => mkdtempSync(join(tmpdir(), 'baton-store-'));

describe('the data dir', () => {
  it('is held by one process: a second open is refused until the first closes', async () => {
    const dir = fresh();
    const first = await openLocalStore({ path: dir });
    // Another process holds it: pid 1 always runs.
    writeFileSync(join(dir, 'baton.pid'), '1');
    await expect(openLocalStore({ path: dir })).rejects.toBeInstanceOf(DataDirLockedError);
    writeFileSync(join(dir, 'baton.pid'), String(process.pid));
    await first.close();
    const second = await openLocalStore({ path: dir });
    await second.close();
  });

  it('takes over a lock a killed process left behind', async () => {
    const dir = fresh();
    // A pid far above any the system hands out: that process is gone.
    writeFileSync(join(dir, 'baton.pid'), '4194999');
    const store = await openLocalStore({ path: dir });
    await store.table.put({ pk: 'P#1', sk: '_', v: 1 });
    await store.close();
    expect(readdirSync(dir)).not.toContain('baton.pid');
  });
});

describe('a data dir of the earlier store (dynalite on LevelDB)', () => {
  async function legacyDir(): Promise<string> {
    const dir = fresh();
    const old = dynaliteClient({ path: dir });
    await old.open();
    const table = new DynamoTable(old.client, 'baton');
    await table.ensureExists();
    for (let i = 0; i < 30; i++) await table.put({ pk: `C#c-${i % 3}`, sk: `T#${i}`, n: i });
    await table.put({ pk: 'E#evt-1', sk: '_', status: 'done' });
    await old.close();
    return dir;
  }

  it('is refused with what to do, and nothing is written', async () => {
    const dir = await legacyDir();
    const before = readdirSync(dir).sort();
    const opening = openLocalStore({ path: dir });
    await expect(opening).rejects.toBeInstanceOf(LegacyStoreError);
    await expect(opening).rejects.toThrow(/--migrate-store.*or use a new --data-dir/);
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('is copied into the new store when asked, item for item, and its files removed', async () => {
    const dir = await legacyDir();
    const migrated = await openLocalStore({ path: dir, migrateLegacy: true });
    expect(await migrated.table.queryAll('C#c-1')).toHaveLength(10);
    expect(await migrated.table.get('C#c-2', 'T#29')).toEqual({ pk: 'C#c-2', sk: 'T#29', n: 29 });
    expect(await migrated.table.get('E#evt-1', '_')).toEqual({ pk: 'E#evt-1', sk: '_', status: 'done' });
    await migrated.close();
    expect(readdirSync(dir).sort()).toEqual(['baton.lmdb', 'baton.lmdb-lock']);
    // And it opens as a data dir of the new store from now on.
    const again = await openLocalStore({ path: dir });
    expect((await again.table.scanPrefix('')).length).toBe(31);
    await again.close();
  });
});
