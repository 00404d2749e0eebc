/**
 * Results are counters written when things happen (ARCHITECTURE.md decision 8): atomic adds on
 * small items keyed by journey, version, UTC day and metric. Small, because DynamoDB bills a write
 * by the size of the item it changes (a 1 KB unit): an add to a one-number item costs one unit
 * where an add to an item holding every metric of a day would cost several. A day's count of one
 * metric is spread over a few shards so that a busy journey makes no hot item (an item takes about
 * 1,000 writes a second). Reading is one query of the version's partition over a range of days and
 * a sum: its cost grows with the days and the metrics, never with the customers.
 *
 *   pk R#<journey>#<version>   sk <yyyy-mm-dd>#<metric>#<shard>                    n: 12
 *   pk RC                      sk <yyyy-mm-dd>#<channel>#<event>#<hour>#<shard>    sent: 3, delivered: 2, engaged: 1
 */

import { fnv1a } from '../core/fnv';
import { iso } from '../core/iso-time';
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

/** Whether a partition holds results counters (a journey version's, or channel effectiveness). */
export function isResultsPartition(pk: string): boolean {
  return pk.startsWith(JOURNEY_RESULTS_PREFIX) || pk === CHANNEL_PARTITION;
}

/** The UTC day of an instant, as the counters' sort keys begin: yyyy-mm-dd. */
export function utcDay(ms: number): string {
  return iso(ms).slice(0, 10);
}

/**
 * The shard of a fact: stable for its seed (an instance, a message), so a retry adds to the same
 * item. FNV-1a: spread is all it needs, and it is taken for every count.
 */
export function shardOf(seed: string): number {
  return fnv1a(seed) % SHARDS;
}

/** Where one fact is counted. */
export interface CountAt {
  /** The counters' partition (journeyPartition). */
  pk: string;
  /** The UTC day, yyyy-mm-dd. */
  day: string;
  /** What picks the shard. */
  seed: string;
}

/** Add to counters: one atomic update of one small item per metric, exact under any number of concurrent adds. */
export async function addCounts(table: Pick<Table, 'update'>, at: CountAt, metrics: Record<string, number>) {
  // Taken for every fact: one plain loop, and the shard hashed only when something is added.
  const adds: Promise<unknown>[] = [];
  let shard: number | undefined;
  for (const metric in metrics) {
    const n = metrics[metric];
    if (n === 0) continue;
    shard ??= shardOf(at.seed);
    adds.push(table.update(at.pk, `${at.day}#${metric}#${shard}`, { add: { n } }));
  }
  if (adds.length === 1) await adds[0];
  else if (adds.length) await Promise.all(adds);
}

/** The sum of every metric of a journey version's partition over a range of days: one query, paged. */
export async function readCounts(
  table: Pick<Table, 'queryAll'>,
  pk: string,
  range: DayRange,
): Promise<Record<string, number>> {
  const sums: Record<string, number> = {};
  for (const item of await countItems(table, pk, range)) {
    const metric = item.sk.split('#')[1];
    if (metric !== undefined && typeof item.n === 'number') sums[metric] = (sums[metric] ?? 0) + item.n;
  }
  return sums;
}

/** The counter items of a partition over a range of days. */
export async function countItems(table: Pick<Table, 'queryAll'>, pk: string, range: DayRange): Promise<Item[]> {
  // No days at all: DynamoDB refuses a key range whose bounds are reversed (the local stores return nothing).
  if (range.from !== undefined && range.to !== undefined && range.from > range.to) return [];
  // Days sort before anything else a results partition holds (OPT#...: a digit is below a letter).
  return table.queryAll(pk, { from: `${range.from ?? '0000-00-00'}#`, to: `${range.to ?? '9999-12-31'}#~` });
}
