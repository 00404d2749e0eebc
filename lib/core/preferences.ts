/** The preference center: a profile written through the API, with its consent changes in the history. */
import { recordConsentChange, savePreferences } from '../store/profiles';
import type { Deps } from './ports';
import type { Profile } from './profile';

/**
 * Store a validated profile at the engine's clock in place of the one before (a PUT replaces the
 * whole profile). Every consent value it changes, and every consent it no longer has (`removed`),
 * is recorded in the history with source `profile-api`, and taken unless a later change of that
 * channel is recorded: the history never loses a withdrawal. Returns the profile as stored.
 */
export async function saveProfile(deps: Pick<Deps, 'table' | 'clock'>, profile: Profile): Promise<Profile> {
  const now = deps.clock.now();
  const saved = await savePreferences(deps.table, profile, now);
  for (const change of saved.changes) {
    // Unique per request (the profile version it wrote), so two requests at one instant both stay.
    await recordConsentChange(deps.table, profile.customerId, change, `v${String(saved.version).padStart(10, '0')}`);
  }
  return saved.profile;
}
