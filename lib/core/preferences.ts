/** The preference center: a profile written through the API, with its consent changes in the history. */
import { getProfile, putProfile, recordConsentChange } from '../store/profiles';
import type { Deps } from './ports';
import type { ConsentStatus, Profile } from './profile';

/**
 * Store a validated profile in place of the one before (a PUT replaces the whole profile). Every
 * consent that changed is recorded with source `profile-api`, and so is every consent the new
 * profile no longer has, as `removed`: the history never loses a withdrawal.
 */
export async function saveProfile(deps: Pick<Deps, 'table' | 'clock'>, profile: Profile): Promise<void> {
  const before = await getProfile(deps.table, profile.customerId);
  const version = await putProfile(deps.table, profile, deps.clock.now());
  const at = new Date(deps.clock.now()).toISOString();
  const after: Record<string, ConsentStatus | 'removed'> = { ...profile.consent };
  for (const channel of Object.keys(before?.consent ?? {})) after[channel] ??= 'removed';
  for (const [channel, status] of Object.entries(after)) {
    if ((before?.consent?.[channel] ?? 'removed') !== status) {
      const change = { channel, status, at, eventId: 'profile-api' };
      await recordConsentChange(deps.table, profile.customerId, change, `v${String(version).padStart(10, '0')}`);
    }
  }
}
