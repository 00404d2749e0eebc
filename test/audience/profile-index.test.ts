/**
 * Profiles are listed without a scan: every write of a profile keeps its entry in the sparse
 * index (PROFILES#<shard>, sorted by customer id), erasure takes it away, and a data dir of an
 * earlier version gets the entries of its profiles once, at baton dev's start.
 */
import { eraseCustomer } from '../../lib/core/erasure';
import { VirtualClock } from '../../lib/engine/clock';
import { migrateDataDir } from '../../lib/local/migrations';
import { startLocalRuntime } from '../../lib/local/runtime';
import { keys } from '../../lib/store/keys';
import { MemoryTable } from '../../lib/store/memory-table';
import type { Table } from '../../lib/store/port';
import {
  PROFILE_SHARDS,
  profileShard,
  profilesOfShard,
  putProfile,
  savePreferences,
  setAttributes,
  setConsent,
} from '../../lib/store/profiles';

async function indexed(table: Table): Promise<string[]> {
  const ids: string[] = [];
  for (let s = 0; s < PROFILE_SHARDS; s++) ids.push(...(await profilesOfShard(table, s)).map((p) => p.customerId));
  return ids.sort();
}

describe('the profile index', () => {
  it('holds every profile however it was written, each in its shard in customer id order', async () => {
    const table = new MemoryTable();
    const now = Date.parse('2026-12-01T00:00:00Z');
    await putProfile(table, { customerId: 'c-seed' }, now);
    await setConsent(table, 'c-event', {
      channel: 'sms',
      status: 'opted_out',
      at: '2026-12-01T00:00:00Z',
      eventId: 'e-1',
    });
    await savePreferences(table, { customerId: 'c-api', consent: { email: 'opted_in' } }, now);
    await setAttributes(table, 'c-step', { tier: 'gold' }, now);
    expect(await indexed(table)).toEqual(['c-api', 'c-event', 'c-seed', 'c-step']);
    const many = Array.from({ length: 200 }, (_, i) => `c-${i}`);
    for (const id of many) await putProfile(table, { customerId: id }, now);
    const shard = profileShard('c-7');
    const inShard = (await profilesOfShard(table, shard)).map((p) => p.customerId);
    expect(inShard).toContain('c-7');
    expect(inShard).toEqual([...inShard].sort());
    expect(new Set(many.map(profileShard)).size).toBe(PROFILE_SHARDS);
  });

  it('loses the entry of an erased customer', async () => {
    const clock = new VirtualClock(Date.parse('2026-12-01T00:00:00Z'));
    const rt = await startLocalRuntime({ journeys: [], clock });
    await putProfile(rt.table, { customerId: 'c-1' }, clock.now());
    await putProfile(rt.table, { customerId: 'c-2' }, clock.now());
    await eraseCustomer(rt.deps, 'c-1');
    expect(await indexed(rt.table)).toEqual(['c-2']);
    await rt.close();
  });

  it('is given to profiles an earlier version stored, once', async () => {
    const table = new MemoryTable();
    // As an earlier version wrote them: no gsi1pk.
    for (const id of ['c-old-1', 'c-old-2'])
      await table.put({ pk: keys.customer(id), sk: keys.profile, profile: { customerId: id }, v: 1 });
    expect(await indexed(table)).toEqual([]);
    expect(await migrateDataDir(table)).toBe(2);
    expect(await indexed(table)).toEqual(['c-old-1', 'c-old-2']);
    await table.put({ pk: keys.customer('c-old-3'), sk: keys.profile, profile: { customerId: 'c-old-3' }, v: 1 });
    expect(await migrateDataDir(table)).toBe(0);
  });
});
