/**
 * Profiles in the table. Consent is ordered by time, not by arrival (SPEC §1): the profile item
 * keeps, beside the profile, when each channel's consent last changed (`consentAt`, ms), and a
 * change older than that one is kept in the history but does not override it. Every write that
 * may race a consent change is a compare-and-set on the item's version, retried on conflict.
 */
import { hash } from 'node:crypto';
import { iso } from '../core/iso-time';
import type { ConsentStatus, Profile } from '../core/profile';
import { keys } from './keys';
import { type Table, when } from './port';

export interface ConsentChange {
  channel: string;
  status: ConsentStatus;
  /** When it happened: the event's time, or the engine's clock for the preference center. */
  at: string;
  /** The event that carried it, or `profile-api`. */
  eventId: string;
}

/** A consent as the history records it: `removed` when a profile written through the API dropped it. */
export type ConsentHistoryStatus = ConsentStatus | 'removed';

/** A change the history records: a consent change, or a consent the preference center removed. */
export type ConsentHistoryChange = Omit<ConsentChange, 'status'> & { status: ConsentHistoryStatus };

/** When each channel's consent last changed, in ms. */
type ConsentTimes = Record<string, number>;

const MAX_ATTEMPTS = 20;

/** The profile stayed contended through every attempt; the event or request is retried whole. */
export class ProfileContendedError extends Error {
  override readonly name = 'ProfileContendedError';
  constructor(customerId: string) {
    super(`the profile of ${customerId} is too contended; the event or request will be retried`);
  }
}

/**
 * Index partitions of profiles: every profile write keeps its entry, and one DynamoDB partition
 * takes about 1,000 writes a second, so the entries are spread by customer id.
 */
export const PROFILE_SHARDS = 16;

/** The shard of a customer's profile entry in the index. */
export function profileShard(customerId: string): number {
  return hash('sha256', customerId, 'buffer').readUInt32BE(0) % PROFILE_SHARDS;
}

/**
 * The sparse index entry every profile item carries, so that an audience lists the profiles
 * without a scan of the table: partition by shard, sorted by customer id.
 */
export function profileIndexEntry(customerId: string): { gsi1pk: string; gsi1sk: string } {
  return { gsi1pk: keys.profiles(profileShard(customerId)), gsi1sk: customerId };
}

/** Every profile of one index shard, in customer id order (eventually consistent, as a DynamoDB index). */
export async function profilesOfShard(table: Table, shard: number): Promise<Profile[]> {
  const items = await table.queryIndexAll(keys.profiles(shard));
  return items.filter((i) => i.sk === keys.profile).map((i) => i.profile as Profile);
}

/**
 * Give every profile item written before profiles were indexed its index entry: a scan, once, of
 * a local store (a data dir of an earlier version). Returns how many were indexed.
 */
export async function indexUnindexedProfiles(table: Table): Promise<number> {
  let indexed = 0;
  for await (const page of table.scanPrefixPages(keys.customer(''))) {
    for (const item of page) {
      if (item.sk !== keys.profile || item.gsi1pk !== undefined) continue;
      const customerId = item.pk.slice(keys.customer('').length);
      // Conditional on the version read, so a write racing this one is never overwritten.
      const v = item.v as number | undefined;
      const done = await table.update(
        item.pk,
        item.sk,
        { set: profileIndexEntry(customerId) },
        {
          if: v === undefined ? when.absent('v') : when.equals('v', v),
        },
      );
      if (done) indexed++;
    }
  }
  return indexed;
}

/** The customer's profile, or undefined. */
export async function getProfile(table: Table, customerId: string): Promise<Profile | undefined> {
  const item = await table.get(keys.customer(customerId), keys.profile);
  return item ? (item.profile as Profile) : undefined;
}

/**
 * Seed a profile as given (validated by the caller): `--profiles` files. A seed is a starting
 * state, not a dated fact, so it records no consent times: any consent change overrides it.
 */
export async function putProfile(table: Table, profile: Profile, nowMs: number): Promise<number> {
  const pk = keys.customer(profile.customerId);
  const v = ((await table.get(pk, keys.profile))?.v as number | undefined) ?? 0;
  await table.put({
    pk,
    sk: keys.profile,
    profile,
    updatedAt: iso(nowMs),
    v: v + 1,
    ...profileIndexEntry(profile.customerId),
  });
  return v + 1;
}

/**
 * Whether a consent change at `at` overrides what is recorded: the later fact wins; at the same
 * instant an opt-out wins, the safe side, so the outcome never depends on arrival order. A status
 * with no time (a seed) yields to any change, which then records its time, even when it agrees.
 */
export function consentChangeWins(
  at: number,
  status: ConsentHistoryStatus,
  recorded: { at?: number; status?: ConsentStatus },
): boolean {
  if (recorded.at === undefined) return true;
  if (at !== recorded.at) return at > recorded.at;
  // At one instant the most restrictive wins, so the outcome never depends on arrival order.
  return RESTRICTION[status] > RESTRICTION[recorded.status ?? 'removed'];
}

const RESTRICTION: Record<ConsentHistoryStatus, number> = { opted_in: 0, removed: 1, opted_out: 2 };

/**
 * Read-modify-write of the profile item: `next` sees the stored profile and consent times and
 * returns what to store, or undefined to store nothing; a compare-and-set on the version retries
 * it when another write came in between. Returns the profile as it is now and its version.
 */
async function updateProfileItem(
  table: Table,
  customerId: string,
  next: (current: Profile, consentAt: ConsentTimes) => { profile: Profile; consentAt: ConsentTimes } | undefined,
  updatedAt: string,
): Promise<{ profile: Profile; version: number }> {
  const pk = keys.customer(customerId);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const item = await table.get(pk, keys.profile);
    const current = (item?.profile as Profile | undefined) ?? { customerId };
    const v = (item?.v as number | undefined) ?? 0;
    const change = next(current, (item?.consentAt as ConsentTimes | undefined) ?? {});
    if (!change) return { profile: current, version: v };
    const written = await table.put(
      {
        pk,
        sk: keys.profile,
        profile: change.profile,
        consentAt: change.consentAt,
        updatedAt,
        v: v + 1,
        ...profileIndexEntry(customerId),
      },
      item ? { if: when.any(when.absent('v'), when.equals('v', v)) } : { ifAbsent: true },
    );
    if (written) return { profile: change.profile, version: v + 1 };
  }
  throw new ProfileContendedError(customerId);
}

/**
 * Record a consent change from an event (consent.updated, a stop word) in the history, and in the
 * profile unless a later change of that channel is recorded. Returns whether the profile took it.
 */
export async function setConsent(table: Table, customerId: string, change: ConsentChange): Promise<boolean> {
  const at = Date.parse(change.at);
  let applied = false;
  await updateProfileItem(
    table,
    customerId,
    (current, consentAt) => {
      applied = consentChangeWins(at, change.status, {
        at: consentAt[change.channel],
        status: current.consent?.[change.channel],
      });
      if (!applied) return undefined;
      return {
        profile: { ...current, consent: { ...current.consent, [change.channel]: change.status } },
        consentAt: { ...consentAt, [change.channel]: at },
      };
    },
    change.at,
  );
  await recordConsentChange(table, customerId, change, change.eventId);
  return applied;
}

/**
 * Store a profile from the preference center at engine time `nowMs`: it replaces the stored one
 * (a PUT replaces the whole profile). Each consent value it changes, and each consent it no
 * longer has (`removed`), is a change at `nowMs`, taken unless a later change of that channel is
 * recorded (an event may be dated ahead of the engine clock). Returns the stored profile, its
 * version and the consent changes it asked for.
 */
export async function savePreferences(
  table: Table,
  profile: Profile,
  nowMs: number,
): Promise<{ profile: Profile; version: number; changes: ConsentHistoryChange[] }> {
  let changes: ConsentHistoryChange[] = [];
  const at = iso(nowMs);
  const stored = await updateProfileItem(
    table,
    profile.customerId,
    (current, consentAt) => {
      const consent = { ...current.consent };
      const times = { ...consentAt };
      changes = [];
      const asked: Record<string, ConsentHistoryStatus> = { ...profile.consent };
      for (const channel of Object.keys(current.consent ?? {})) asked[channel] ??= 'removed';
      for (const [channel, status] of Object.entries(asked)) {
        if ((current.consent?.[channel] ?? 'removed') === status) continue;
        changes.push({ channel, status, at, eventId: 'profile-api' });
        if (consentChangeWins(nowMs, status, { at: consentAt[channel], status: current.consent?.[channel] })) {
          if (status === 'removed') delete consent[channel];
          else consent[channel] = status;
          times[channel] = nowMs;
        }
      }
      const { consent: _asked, ...fields } = profile;
      return {
        profile: { ...fields, ...(Object.keys(consent).length ? { consent } : {}) },
        consentAt: times,
      };
    },
    at,
  );
  return { ...stored, changes };
}

/** Write profile attributes (an `update` step), leaving consent as it is at the moment of the write. */
export async function setAttributes(
  table: Table,
  customerId: string,
  values: Record<string, unknown>,
  nowMs: number,
): Promise<void> {
  await updateProfileItem(
    table,
    customerId,
    (current, consentAt) => ({ profile: { ...current, attributes: { ...current.attributes, ...values } }, consentAt }),
    iso(nowMs),
  );
}

/**
 * One entry of the consent history; `unique` keeps two changes at one instant apart (and a replay
 * idempotent). Keyed by the UTC instant, so the history reads in time order whatever the offsets.
 */
export async function recordConsentChange(
  table: Table,
  customerId: string,
  change: ConsentHistoryChange,
  unique: string,
): Promise<void> {
  const instant = new Date(Date.parse(change.at)).toISOString();
  await table.put({
    pk: keys.customer(customerId),
    sk: `${keys.consentHistoryPrefix}${instant}#${unique}#${change.channel}`,
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
