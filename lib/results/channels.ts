/**
 * Channel effectiveness (SPEC §7): the customer's channels compared, per channel × the trigger
 * event type of the instance that sent, and per channel × the customer's local hour of the week
 * at send time — sent, delivered, engaged and the rate. Counted from the message ledger (which
 * carries the trigger type and the hour from the send), on the day the message was sent, so that
 * delivered and engaged stay a share of what was sent in the same days.
 */
import type { Item, Table } from '../store/port';
import { addCounts, CHANNEL_PARTITION, countItems, type DayRange, partOf } from './counters';
import { type ChannelMetric, channelMetric, parseChannelMetric } from './metrics';

/** Count a message of the ledger in channel effectiveness (once per message and metric: the caller sees to it). */
export async function countChannel(table: Pick<Table, 'update'>, ledger: Item, what: ChannelMetric): Promise<void> {
  const { channel, triggerEvent, sendHour, messageId } = ledger;
  // A message sent before the ledger carried these is left out rather than counted under a guess.
  if (typeof channel !== 'string' || typeof triggerEvent !== 'string' || typeof sendHour !== 'number') return;
  const sentAt = (ledger.sentAt ?? ledger.createdAt) as string;
  await addCounts(
    table,
    { pk: CHANNEL_PARTITION, day: sentAt.slice(0, 10), within: channel, seed: String(messageId) },
    { [channelMetric(triggerEvent, sendHour, what)]: 1 },
  );
}

/** Sent, delivered and engaged, with engaged / sent (0 when nothing was sent). */
export interface Effect {
  sent: number;
  delivered: number;
  engaged: number;
  rate: number;
}

export interface ChannelEffectiveness {
  /** Per channel and trigger event type, by channel then event. */
  channels: ({ channel: string; event: string } & Effect)[];
  /** Per channel and local hour of the week (0 = Sunday 00:00-01:00, 167 = Saturday 23:00-24:00). */
  hours: ({ channel: string; hourOfWeek: number } & Effect)[];
}

/** Channel effectiveness over a range of days, of every trigger event type or of one: one query. */
export async function channelEffectiveness(
  table: Pick<Table, 'queryAll'>,
  range: DayRange,
  event?: string,
): Promise<ChannelEffectiveness> {
  const byEvent = new Map<string, Effect & { channel: string; event: string }>();
  const byHour = new Map<string, Effect & { channel: string; hourOfWeek: number }>();
  const items = await countItems(table, CHANNEL_PARTITION, range);
  const sums = new Map<string, Record<string, number>>();
  for (const item of items) {
    const channel = partOf(item);
    if (channel === undefined) continue;
    const into = sums.get(channel) ?? {};
    for (const [k, v] of Object.entries(item)) if (typeof v === 'number') into[k] = (into[k] ?? 0) + v;
    sums.set(channel, into);
  }
  for (const [channel, counts] of sums) {
    for (const [name, n] of Object.entries(counts)) {
      const m = parseChannelMetric(name);
      if (!m || (event !== undefined && m.event !== event)) continue;
      const e = byEvent.get(`${channel}|${m.event}`) ?? { channel, event: m.event, ...noEffect() };
      e[m.what] += n;
      byEvent.set(`${channel}|${m.event}`, e);
      const h = byHour.get(`${channel}|${m.hour}`) ?? { channel, hourOfWeek: m.hour, ...noEffect() };
      h[m.what] += n;
      byHour.set(`${channel}|${m.hour}`, h);
    }
  }
  const withRate = <T extends Effect>(e: T): T => ({ ...e, rate: e.sent > 0 ? e.engaged / e.sent : 0 });
  return {
    channels: [...byEvent.values()]
      .map(withRate)
      .sort((a, b) => a.channel.localeCompare(b.channel) || a.event.localeCompare(b.event)),
    hours: [...byHour.values()]
      .map(withRate)
      .sort((a, b) => a.channel.localeCompare(b.channel) || a.hourOfWeek - b.hourOfWeek),
  };
}

const noEffect = (): Effect => ({ sent: 0, delivered: 0, engaged: 0, rate: 0 });
