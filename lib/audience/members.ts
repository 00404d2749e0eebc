/**
 * The members of a segment at a run (SPEC §6), decided on the profiles as they are then, in a
 * stable order: file order for a file, customer id order for a `where`. Profiles are read from
 * the sparse index shard by shard, never by a scan of the table, so a run costs what its
 * customers count; only the ids (and zones) of the members are held at once.
 */
import { holds } from '../core/jsonata';
import type { Profile } from '../core/profile';
import { isValidTimeZone } from '../core/zoned-time';
import { conditionToJsonata, variableScope } from '../journey/expressions';
import type { Segment } from '../journey/schema';
import type { Table } from '../store/port';
import { getProfile, PROFILE_SHARDS, profilesOfShard } from '../store/profiles';
import { parseSegmentFile } from './segment-file';

export interface Member {
  customerId: string;
  /** The profile's time zone, when it has a valid one (read only when the run needs zones). */
  zone?: string;
}

/** A segment file the run cannot read. */
export class SegmentFileMissingError extends Error {
  override readonly name = 'Baton.SegmentFileMissing';
  constructor(file: string) {
    super(`the segment file ${file} is missing: the run cannot list its members`);
  }
}

export interface ListedMembers {
  members: Member[];
  /** Lines of a segment file that hold no customer id (validation refuses them; a file changed since may have them). */
  badLines: number;
}

/** The members of a segment now; `zones` reads each member's profile zone (localTime runs). */
export async function segmentMembers(
  table: Table,
  segment: Segment,
  opts: { zones: boolean; segmentFile: (file: string) => Promise<string | undefined> },
): Promise<ListedMembers> {
  if ('where' in segment) return { members: await whereMembers(table, segment.where), badLines: 0 };
  const text = await opts.segmentFile(segment.file);
  if (text === undefined) throw new SegmentFileMissingError(segment.file);
  const { ids, problems } = parseSegmentFile(text);
  const members: Member[] = [];
  for (const customerId of ids) {
    const zone = opts.zones ? zoneOf(await getProfile(table, customerId)) : undefined;
    members.push(zone ? { customerId, zone } : { customerId });
  }
  return { members, badLines: problems.length };
}

async function whereMembers(table: Table, where: Extract<Segment, { where: unknown }>['where']): Promise<Member[]> {
  const expr = conditionToJsonata(where, variableScope);
  const members: Member[] = [];
  for (let shard = 0; shard < PROFILE_SHARDS; shard++) {
    for (const profile of await profilesOfShard(table, shard)) {
      if (!(await holds(expr, { profile }))) continue;
      const zone = zoneOf(profile);
      members.push(zone ? { customerId: profile.customerId, zone } : { customerId: profile.customerId });
    }
  }
  // One order whatever the shards: customer id order.
  return members.sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
}

function zoneOf(profile: Profile | undefined): string | undefined {
  const zone = profile?.timezone;
  return typeof zone === 'string' && isValidTimeZone(zone) ? zone : undefined;
}
