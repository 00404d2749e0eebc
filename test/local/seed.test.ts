/** `--profiles` seeds a new data dir only, on the real local store (SPEC §4). */
import type { Profile } from '../../lib/core/profile';
import { ContinuingClock } from '../../lib/local/continuing-clock';
import { seedNewDataDir } from '../../lib/local/seed';
import { type EmbeddedStore, openLocalStore } from '../../lib/store/local-store';
import { getProfile, setConsent } from '../../lib/store/profiles';

const T0 = Date.parse('2026-11-20T18:00:00Z');
const ANA: Profile = { customerId: 'c-ana', email: 'ana@example.com', consent: { email: 'opted_in' } };

let store: EmbeddedStore;
beforeEach(async () => {
  store = await openLocalStore();
});
afterEach(() => store.close());

describe('seedNewDataDir', () => {
  it('stores the profiles in a new data dir, then never again', async () => {
    expect(await seedNewDataDir(store.table, [ANA], T0)).toEqual({ kind: 'seeded', profiles: 1 });
    await setConsent(store.table, 'c-ana', {
      channel: 'email',
      status: 'opted_out',
      at: '2026-11-20T18:01:00Z',
      eventId: 'e-1',
    });
    expect(await seedNewDataDir(store.table, [ANA], T0 + 60_000)).toEqual({ kind: 'ignored', profiles: 1 });
    expect((await getProfile(store.table, 'c-ana'))?.consent).toEqual({ email: 'opted_out' });
    expect(await seedNewDataDir(store.table, [], T0)).toEqual({ kind: 'kept' });
  });

  it('counts a data dir whose first run had no profiles as used', async () => {
    expect(await seedNewDataDir(store.table, [], T0)).toEqual({ kind: 'seeded', profiles: 0 });
    expect(await seedNewDataDir(store.table, [ANA], T0)).toEqual({ kind: 'ignored', profiles: 1 });
    expect(await getProfile(store.table, 'c-ana')).toBeUndefined();
  });

  it('finishes a seeding cut short (the server never listened, so nothing changed meanwhile)', async () => {
    await store.table.put({ pk: 'DATA_DIR', sk: 'seed', done: false });
    expect(await seedNewDataDir(store.table, [ANA], T0)).toEqual({ kind: 'seeded', profiles: 1 });
    expect(await getProfile(store.table, 'c-ana')).toMatchObject({ customerId: 'c-ana' });
  });

  it('leaves a data dir used before the seeding mark existed as it is (its clock was kept)', async () => {
    await new ContinuingClock(1).continueFrom(store.table);
    expect(await seedNewDataDir(store.table, [ANA], T0)).toEqual({ kind: 'ignored', profiles: 1 });
    expect(await getProfile(store.table, 'c-ana')).toBeUndefined();
  });
});
