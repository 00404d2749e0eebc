/** A timeline line's counters: the line is written once (a conditional put), and counted when it is. */
import type { TimelineEntry } from '../core/timeline';
import type { Table } from '../store/port';
import { addCounts, journeyPartition } from './counters';
import { lineMetrics } from './metrics';

/**
 * Add a line just written for the first time to its journey version's counters on the line's UTC
 * day, with `also`: more counters of the same fact (an entry's first step). A crash between the
 * line and this add loses the count; a retry finds the line written and adds nothing, so nothing
 * is ever counted twice (closing the gap would take a transaction, which ARCHITECTURE.md rules out).
 */
export async function countLine(
  table: Pick<Table, 'update'>,
  entry: TimelineEntry,
  also: Record<string, number> = {},
): Promise<void> {
  // A line rebuilt from a ledger item that lacks its journey or time (written by hand in a test) counts nowhere.
  if (typeof entry.at !== 'string' || typeof entry.journey !== 'string' || typeof entry.version !== 'number') return;
  const at = { pk: journeyPartition(entry.journey, entry.version), day: entry.at.slice(0, 10), seed: entry.instance };
  await addCounts(table, at, { ...lineMetrics(entry), ...also });
}
