/** The preference center: a profile written through the API, with its consent changes in the history. */
import { getProfile, putProfile, recordConsentChange } from '../store/profiles';
import type { Deps } from './ports';
import type { Profile } from './profile';

/** Store a validated profile; every consent value that changed is recorded with source `profile-api`. */
export async function saveProfile(deps: Pick<Deps, 'table' | 'clock'>, profile: Profile): Promise<void> {
  const before = await getProfile(deps.table, profile.customerId);
  const version = await putProfile(deps.table, profile, deps.clock.now());
  const at = new Date(deps.clock.now()).toISOString();
  for (const [channel, status] of Object.entries(profile.consent ?? {})) {
    if (before?.consent?.[channel] !== status) {
      const change = { channel, status, at, eventId: 'profile-api' };
      await recordConsentChange(deps.table, profile.customerId, change, `v${String(version).padStart(10, '0')}`);
    }
  }
}
