/** Profiles in the table. */
import type { ConsentStatus, Profile } from '../core/profile';
import { keys } from './keys';
import type { Table } from './table';

/** The customer's profile, or undefined. */
export async function getProfile(table: Table, customerId: string): Promise<Profile | undefined> {
  const item = await table.get(keys.customer(customerId), keys.profile);
  return item ? (item.profile as Profile) : undefined;
}

/** Store a profile as given (validated by the caller); returns its new version. */
export async function putProfile(table: Table, profile: Profile, nowMs: number): Promise<number> {
  const pk = keys.customer(profile.customerId);
  const v = ((await table.get(pk, keys.profile))?.v as number | undefined) ?? 0;
  await table.put({ pk, sk: keys.profile, profile, updatedAt: new Date(nowMs).toISOString(), v: v + 1 });
  return v + 1;
}

/**
 * Record a consent change and its history (when, which channel, from which event). The profile
 * write is a compare-and-set on its version, so concurrent changes never undo each other.
 */
export async function setConsent(
  table: Table,
  customerId: string,
  change: { channel: string; status: ConsentStatus; at: string; eventId: string },
): Promise<void> {
  const pk = keys.customer(customerId);
  for (let attempt = 0; attempt < 20; attempt++) {
    const item = await table.get(pk, keys.profile);
    const current = (item?.profile as Profile | undefined) ?? { customerId };
    const v = (item?.v as number | undefined) ?? 0;
    const profile: Profile = { ...current, consent: { ...current.consent, [change.channel]: change.status } };
    const written = await table.put(
      { pk, sk: keys.profile, profile, updatedAt: change.at, v: v + 1 },
      item
        ? {
            condition: { expression: 'attribute_not_exists(#v) OR #v = :v', names: { '#v': 'v' }, values: { ':v': v } },
          }
        : { ifAbsent: true },
    );
    if (written) break;
    if (attempt === 19) throw new Error('profile is too contended; the event will be retried');
  }
  await recordConsentChange(table, customerId, change, change.eventId);
}

/** A consent as the history records it: `removed` when a profile written through the API dropped it. */
export type ConsentHistoryStatus = ConsentStatus | 'removed';

/** One entry of the consent history; `unique` keeps two changes at one instant apart (and a replay idempotent). */
export async function recordConsentChange(
  table: Table,
  customerId: string,
  change: { channel: string; status: ConsentHistoryStatus; at: string; eventId: string },
  unique: string,
): Promise<void> {
  await table.put({
    pk: keys.customer(customerId),
    sk: `${keys.consentHistoryPrefix}${change.at}#${unique}#${change.channel}`,
    channel: change.channel,
    status: change.status,
    at: change.at,
    eventId: change.eventId,
  });
}

/** The consent history of a customer, oldest first. */
export async function consentHistory(table: Table, customerId: string) {
  const items = await table.queryAll(keys.customer(customerId), { prefix: keys.consentHistoryPrefix });
  return items.map((i) => ({
    at: i.at as string,
    channel: i.channel as string,
    status: i.status as ConsentHistoryStatus,
    source: i.eventId as string,
  }));
}
