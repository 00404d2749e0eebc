/**
 * A journey version's entries and conversions day by day (the console's "conversion over time"),
 * from the same counters as its results: one query over a range of days, never a scan.
 */
import type { Table } from '../store/port';
import { countItems, type DayRange, journeyPartition } from './counters';
import { metric } from './metrics';

export interface DayConversion {
  /** The UTC day, yyyy-mm-dd. */
  day: string;
  entered: number;
  /** Conversions of the instances that entered that day (a conversion counts on its instance's day of entry). */
  converted: number;
  /** converted / entered of that day (0 on a day without entries). */
  rate: number;
}

/** Entered and converted per UTC day over a range, oldest first; days without either are left out. */
export async function dailyConversion(
  table: Pick<Table, 'queryAll'>,
  journey: string,
  version: number,
  range: DayRange,
): Promise<DayConversion[]> {
  const days = new Map<string, { entered: number; converted: number }>();
  for (const item of await countItems(table, journeyPartition(journey, version), range)) {
    const [day, name] = item.sk.split('#');
    if ((name !== metric.entered && name !== metric.converted) || typeof item.n !== 'number') continue;
    const d = days.get(day) ?? { entered: 0, converted: 0 };
    d[name] += item.n;
    days.set(day, d);
  }
  return [...days.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([day, d]) => ({ day, ...d, rate: d.entered > 0 ? d.converted / d.entered : 0 }));
}
