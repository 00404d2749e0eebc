/**
 * `baton dev --profiles`: sample customers for a new data directory only (SPEC §4). A directory
 * that holds data keeps it as it is, so opt-outs and erasures made there survive restarts.
 */
import type { Profile } from '../core/profile';
import type { Table } from '../store/port';
import { putProfile } from '../store/profiles';
import { clockKept } from './continuing-clock';

/** Marks a data directory as seeded; `done` stays false while a seeding is under way. */
const KEY = { pk: 'DATA_DIR', sk: 'seed' };

export type SeedOutcome =
  /** The directory was new: these profiles were stored. */
  | { kind: 'seeded'; profiles: number }
  /** The directory holds data: the profiles given were not stored. */
  | { kind: 'ignored'; profiles: number }
  /** The directory holds data and no profiles were given. */
  | { kind: 'kept' };

/**
 * Store `profiles` if this data directory is new, or if its seeding was cut short (the server
 * only listens once seeding is done, so nothing can have changed them in between).
 * Call it before the clock is continued: a clock kept in the store means the directory was used.
 */
export async function seedNewDataDir(table: Table, profiles: Profile[], nowMs: number): Promise<SeedOutcome> {
  const marker = await table.get(KEY.pk, KEY.sk);
  // Data directories from before the marker existed have a kept clock from their first run.
  const used = marker ? marker.done === true : await clockKept(table);
  if (used) return profiles.length ? { kind: 'ignored', profiles: profiles.length } : { kind: 'kept' };
  await table.put({ ...KEY, done: false });
  for (const p of profiles) await putProfile(table, p, nowMs);
  await table.put({ ...KEY, done: true, profiles: profiles.length, at: new Date(nowMs).toISOString() });
  return { kind: 'seeded', profiles: profiles.length };
}
