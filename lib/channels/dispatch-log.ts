/** Locally: the log of actions and hand-offs Baton delivered, like the outbox for messages. */
import type { Clock } from '../core/ports';
import { keys } from '../store/keys';
import type { Table } from '../store/port';
import type { Delivery, Destination } from './destinations';

export interface LoggedDelivery extends Delivery {
  destination: string;
  at: string;
}

/** A destination that records each delivery once, by idempotency key. */
export function dispatchLog(table: Table, clock: Clock, destination: string): Destination {
  return {
    async deliver(d) {
      const entry: LoggedDelivery = { ...d, destination, at: new Date(clock.now()).toISOString() };
      await table.put({ pk: keys.dispatches, sk: d.idempotencyKey, entry }, { ifAbsent: true });
    },
  };
}

/** Logged deliveries, newest first. */
export async function listDispatches(
  table: Table,
  opts: { customerId?: string; limit?: number } = {},
): Promise<LoggedDelivery[]> {
  const items = await table.queryAll(keys.dispatches);
  return items
    .map((i) => i.entry as LoggedDelivery)
    .filter((e) => !opts.customerId || e.body.customerId === opts.customerId)
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.idempotencyKey < b.idempotencyKey ? 1 : -1))
    .slice(0, opts.limit ?? 100);
}
