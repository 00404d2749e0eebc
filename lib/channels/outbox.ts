/** The local outbox: where `baton dev` and `baton simulate` deliver messages instead of SNS/SES. */

import { iso } from '../core/iso-time';
import type { ChannelSender, Clock, OutgoingMessage } from '../core/ports';
import { keys } from '../store/keys';
import type { Table } from '../store/port';

export interface OutboxMessage extends OutgoingMessage {
  at: string;
}

/** A sender that stores each message once, by message id. */
export function outboxSender(table: Table, clock: Clock): ChannelSender {
  return {
    async send(msg) {
      await table.put(
        { pk: keys.outbox, sk: msg.messageId, message: { ...msg, at: iso(clock.now()) } },
        { ifAbsent: true },
      );
      return { providerMessageId: `outbox-${msg.messageId}` };
    },
  };
}

/** Messages in the outbox, newest first. */
export async function listOutbox(
  table: Table,
  opts: { customerId?: string; limit?: number } = {},
): Promise<OutboxMessage[]> {
  const items = await table.queryAll(keys.outbox);
  const all = items
    .map((i) => i.message as OutboxMessage)
    .filter((m) => !opts.customerId || m.customerId === opts.customerId)
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.messageId < b.messageId ? 1 : -1));
  return all.slice(0, opts.limit ?? 100);
}
