/**
 * How a customer engages, from message feedback: per channel (for `best` channel choice) and per
 * local hour of the week (for `timing: best`). Counters are atomic ADDs, exact under concurrency.
 */
import { keys } from '../store/keys';
import type { Table } from '../store/port';

/** Feedback that counts as engagement. */
export const ENGAGING_FEEDBACK = new Set(['opened', 'clicked', 'replied']);

const CHANNEL = 'eng_';
const HOUR = 'how_';

export interface Engagement {
  byChannel: Record<string, number>;
  /** Counts by local hour of the week, 0 (Sunday 00h) to 167. */
  byHour: Record<number, number>;
}

/** Count one engagement on a channel at a local hour of the week. */
export async function recordEngagement(table: Table, customerId: string, channel: string, hour: number): Promise<void> {
  await table.update(keys.customer(customerId), keys.engagement, {
    add: { [`${CHANNEL}${channel}`]: 1, [`${HOUR}${hour}`]: 1 },
  });
}

/** The customer's engagement counts. */
export async function getEngagement(table: Table, customerId: string): Promise<Engagement> {
  const item = await table.get(keys.customer(customerId), keys.engagement);
  const out: Engagement = { byChannel: {}, byHour: {} };
  for (const [k, v] of Object.entries(item ?? {})) {
    if (typeof v !== 'number') continue;
    if (k.startsWith(CHANNEL)) out.byChannel[k.slice(CHANNEL.length)] = v;
    else if (k.startsWith(HOUR)) out.byHour[Number(k.slice(HOUR.length))] = v;
  }
  return out;
}

/** The hour of the week with the most engagement (earliest on ties), if there is any history. */
export function bestHour(e: Engagement): number | undefined {
  let best: number | undefined;
  for (const [h, n] of Object.entries(e.byHour)) {
    if (best === undefined || n > (e.byHour[best] ?? 0) || (n === e.byHour[best] && Number(h) < best)) best = Number(h);
  }
  return best;
}
