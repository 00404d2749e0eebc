/**
 * Channel effectiveness (SPEC §7): the customer's channels compared, per channel × the trigger
 * event type of the instance that sent, and per channel × the customer's local hour of the week
 * at send time — sent, delivered, engaged and the rate. Counted from the message ledger (which
 * carries the trigger type and the hour from the send), on the day the message was sent, so that
 * delivered and engaged stay a share of what was sent in the same days.
 */
import type { Item, Table } from '../store/port';
import { CHANNEL_PARTITION, countItems, type DayRange, shardOf } from './counters';
import type { ChannelMetric } from './metrics';

/** Count a message of the ledger in channel effectiveness (once per message and metric: the caller sees to it). */
export async function countChannel(table: Pick<Table, 'update'>, ledger: Item, what: ChannelMetric): Promise<void> {
  const { channel, triggerEvent, sendHour, messageId } = ledger;
  // A message sent before the ledger carried these is left out rather than counted under a guess.
  if (typeof channel !== 'string' || typeof triggerEvent !== 'string' || typeof sendHour !== 'number') return;
  const day = ((ledger.sentAt ?? ledger.createdAt) as string).slice(0, 10);
  const sk = [day, channel, triggerEvent, sendHour, shardOf(String(messageId))].join('#');
  await table.update(CHANNEL_PARTITION, sk, { add: { [what]: 1 } });
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
  for (const item of await countItems(table, CHANNEL_PARTITION, range)) {
    const [, channel, itemEvent, hourText] = item.sk.split('#');
    const hour = Number(hourText);
    if (hourText === undefined || (event !== undefined && itemEvent !== event)) continue;
    const e = byEvent.get(`${channel}|${itemEvent}`) ?? { channel, event: itemEvent, ...noEffect() };
    const h = byHour.get(`${channel}|${hour}`) ?? { channel, hourOfWeek: hour, ...noEffect() };
    for (const what of ['sent', 'delivered', 'engaged'] as const) {
      const n = typeof item[what] === 'number' ? (item[what] as number) : 0;
      e[what] += n;
      h[what] += n;
    }
    byEvent.set(`${channel}|${itemEvent}`, e);
    byHour.set(`${channel}|${hour}`, h);
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
