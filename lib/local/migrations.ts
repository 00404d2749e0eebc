/**
 * Upgrades of a data dir written by an earlier version of Baton, each run once at `baton dev`'s
 * start and then marked done in the store.
 */
import type { Table } from '../store/port';
import { indexUnindexedProfiles } from '../store/profiles';

const DONE = (name: string) => ({ pk: 'MIGRATION', sk: name });

/**
 * Profiles written before audiences had no index entry, so no audience would list them: they get
 * one now (a scan of the customers, once). Returns how many profiles were indexed.
 */
export async function migrateDataDir(table: Table): Promise<number> {
  const done = DONE('profile-index');
  if (await table.get(done.pk, done.sk)) return 0;
  const indexed = await indexUnindexedProfiles(table);
  await table.put({ ...done, at: new Date().toISOString() });
  return indexed;
}
