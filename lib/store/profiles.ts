/** Profiles in the table. */
import type { ConsentStatus, Profile } from '../core/profile';
import { keys } from './keys';
import type { Table } from './table';

/** The customer's profile, or undefined. */
export async function getProfile(table: Table, customerId: string): Promise<Profile | undefined> {
  const item = await table.get(keys.customer(customerId), keys.profile);
  return item ? (item.profile as Profile) : undefined;
}

/** Store a profile as given (validated by the caller). */
export async function putProfile(table: Table, profile: Profile, nowMs: number): Promise<void> {
  await table.put({
    pk: keys.customer(profile.customerId),
    sk: keys.profile,
    profile,
    updatedAt: new Date(nowMs).toISOString(),
  });
}

/** Record a consent change, keeping the history (when, which channel, from which event). */
export async function setConsent(
  table: Table,
  customerId: string,
  change: { channel: string; status: ConsentStatus; at: string; eventId: string },
): Promise<void> {
  const current = (await getProfile(table, customerId)) ?? { customerId };
  const profile: Profile = { ...current, consent: { ...current.consent, [change.channel]: change.status } };
  await table.put({ pk: keys.customer(customerId), sk: keys.profile, profile, updatedAt: change.at });
  await table.put({
    pk: keys.customer(customerId),
    sk: `CH#${change.at}#${change.eventId}`,
    channel: change.channel,
    status: change.status,
    at: change.at,
    eventId: change.eventId,
  });
}
