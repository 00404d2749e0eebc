/**
 * Feedback on a message Baton sent (SPEC §1 reserved types), counted for its step (delivered,
 * engaged, failed) and for channel effectiveness (delivered, engaged): once per message and kind,
 * by a conditional write on the message's ledger item, on the day the message was sent.
 */
import type { Deps } from '../core/ports';
import type { Item } from '../store/port';
import { when } from '../store/port';
import { countChannel } from './channels';
import { addCounts, journeyPartition } from './counters';
import { metric } from './metrics';

type Kind = 'delivered' | 'engaged' | 'failed';

/** What each feedback status counts as: an open, a click or a reply was delivered too. */
const KINDS: Record<string, Kind[]> = {
  delivered: ['delivered'],
  opened: ['delivered', 'engaged'],
  clicked: ['delivered', 'engaged'],
  replied: ['delivered', 'engaged'],
  bounced: ['failed'],
  failed: ['failed'],
};

/** The ledger attribute that says a kind was counted for the message. */
const countedFlag = (kind: Kind) => `counted_${kind}`;

/** Count a feedback status of a message the ledger holds as sent (an `unknown` one was never counted as sent). */
export async function countFeedback(deps: Pick<Deps, 'table'>, ledger: Item, status: string): Promise<void> {
  if (ledger.status !== 'sent') return;
  const { journey, version, step, instance } = ledger;
  if (typeof journey !== 'string' || typeof version !== 'number' || typeof step !== 'string') return;
  const day = ((ledger.sentAt ?? ledger.createdAt) as string).slice(0, 10);
  for (const kind of KINDS[status] ?? []) {
    const first = await deps.table.update(
      ledger.pk,
      ledger.sk,
      { set: { [countedFlag(kind)]: true } },
      { if: when.all(when.itemExists, when.absent(countedFlag(kind))) },
    );
    if (!first) continue;
    // A crash between the flag and the adds loses them; a redelivery finds the flag and adds nothing.
    await addCounts(
      deps.table,
      { pk: journeyPartition(journey, version), day, seed: String(instance) },
      {
        [metric[kind](step)]: 1,
      },
    );
    if (kind !== 'failed') await countChannel(deps.table, first, kind);
  }
}
