/**
 * Results are counters written when things happen (ARCHITECTURE.md decision 8): atomic adds on
 * items keyed by journey, version and UTC day, one attribute per metric. A day's counts are spread
 * over a few shards so that a busy journey does not make one DynamoDB item hot (an item takes about
 * 1,000 writes a second). Reading is one query of the version's partition over a range of days and
 * a sum: its cost grows with the days and the metrics, never with the customers.
 *
 *   pk R#<journey>#<version>   sk <yyyy-mm-dd>#<shard>   entered: 12, sent.nudge.email: 9, ...
 *   pk RC                      sk <yyyy-mm-dd>#<channel>#<shard>   <event>|<hour>|sent: 3, ...
 */
import { createHash } from 'node:crypto';
import type { Item, Table } from '../store/port';

/** How many items share one day's counts. */
export const SHARDS = 4;

/** A range of UTC days, both ends included; an open end reaches the first or last day counted. */
export interface DayRange {
  from?: string;
  to?: string;
}

/** What every journey version's results partition starts with (the functions' grants name it). */
export const JOURNEY_RESULTS_PREFIX = 'R#';
/** The partition of a journey version's counters (and of its optimized splits). */
export const journeyPartition = (journey: string, version: number) => `${JOURNEY_RESULTS_PREFIX}${journey}#${version}`;
/** The partition of channel effectiveness (every journey's sends). */
export const CHANNEL_PARTITION = 'RC';

/** The UTC day of an instant, as the counters' sort keys begin: yyyy-mm-dd. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The shard of a fact: stable for its seed (an instance, a message), so a retry adds to the same item. */
export function shardOf(seed: string): number {
  return createHash('sha256').update(seed).digest().readUInt32BE(0) % SHARDS;
}

/** Where one fact is counted. */
export interface CountAt {
  /** The counters' partition (journeyPartition or CHANNEL_PARTITION). */
  pk: string;
  /** The UTC day, yyyy-mm-dd. */
  day: string;
  /** What picks the shard. */
  seed: string;
  /** A part of the sort key between the day and the shard (the channel, for channel counters). */
  within?: string;
}

/** Add to counters, atomically (one update of one item): exact under any number of concurrent adds. */
export async function addCounts(table: Pick<Table, 'update'>, at: CountAt, metrics: Record<string, number>) {
  const add = Object.fromEntries(Object.entries(metrics).filter(([, n]) => n !== 0));
  if (!Object.keys(add).length) return;
  const sk = [at.day, ...(at.within === undefined ? [] : [at.within]), shardOf(at.seed)].join('#');
  await table.update(at.pk, sk, { add });
}

/**
 * The sum of every metric of a partition over a range of days (`within` narrows each day to one
 * part, such as a channel): one query, paged.
 */
export async function readCounts(
  table: Pick<Table, 'queryAll'>,
  pk: string,
  range: DayRange,
  within?: string,
): Promise<Record<string, number>> {
  const sums: Record<string, number> = {};
  for (const item of await countItems(table, pk, range)) {
    if (within !== undefined && partOf(item) !== within) continue;
    for (const [k, v] of Object.entries(item)) {
      if (k === 'pk' || k === 'sk' || typeof v !== 'number') continue;
      sums[k] = (sums[k] ?? 0) + v;
    }
  }
  return sums;
}

/** The counter items of a partition over a range of days, each with its sort key. */
export async function countItems(table: Pick<Table, 'queryAll'>, pk: string, range: DayRange): Promise<Item[]> {
  // No days at all: DynamoDB refuses a key range whose bounds are reversed (the local stores return nothing).
  if (range.from !== undefined && range.to !== undefined && range.from > range.to) return [];
  // Days sort before anything else a results partition holds (OPT#...: a digit is below a letter).
  return table.queryAll(pk, { from: `${range.from ?? '0000-00-00'}#`, to: `${range.to ?? '9999-12-31'}#~` });
}

/** The part of a counter item's sort key between its day and its shard, if it has one. */
export function partOf(item: Item): string | undefined {
  const parts = item.sk.split('#');
  return parts.length > 2 ? parts.slice(1, -1).join('#') : undefined;
}
