/** How much a customer engages on each channel, from message feedback; `best` channel choice reads it. */
import { keys } from '../store/keys';
import type { Table } from '../store/table';

/** Feedback that counts as engagement. */
export const ENGAGING_FEEDBACK = new Set(['opened', 'clicked', 'replied']);

const PREFIX = 'eng_';

/** Count one engagement on a channel (an atomic ADD: concurrent feedback counts exactly). */
export async function recordEngagement(table: Table, customerId: string, channel: string): Promise<void> {
  await table.update(keys.customer(customerId), keys.engagement, { add: { [`${PREFIX}${channel}`]: 1 } });
}

/** Engagements per channel. */
export async function getEngagement(table: Table, customerId: string): Promise<Record<string, number>> {
  const item = await table.get(keys.customer(customerId), keys.engagement);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(item ?? {}))
    if (k.startsWith(PREFIX) && typeof v === 'number') out[k.slice(PREFIX.length)] = v;
  return out;
}
