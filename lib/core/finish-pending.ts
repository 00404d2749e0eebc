/**
 * Start-up recovery of `baton dev`: every event whose processing a crash cut short is finished
 * from its record, in the order the events were accepted, before the server takes new ones. Each
 * step of ingest is idempotent, so what the cut-short run did already is not done twice. (On AWS
 * there is no start: SQS redelivers the event, and a later trigger heals a cut-short entry.)
 */
import { ingest } from './ingest';
import { dropExpiredEvent, pendingEvents } from './pending-events';
import type { Deps } from './ports';

/** Finish every pending event, oldest accepted first; returns how many were finished. */
export async function finishPendingEvents(deps: Deps): Promise<number> {
  let finished = 0;
  for (const { envelope, expiresAt } of await pendingEvents(deps.table)) {
    if (expiresAt !== undefined && expiresAt * 1000 <= deps.clock.now()) {
      deps.log.warn('an unfinished event expired before the engine ran again: dropped', { eventId: envelope.id });
      await dropExpiredEvent(deps.table, envelope.id);
      continue;
    }
    try {
      await ingest(deps, envelope);
      finished++;
    } catch (err) {
      // It stays pending, to be finished at the next start; the others must not wait for it.
      deps.log.error('an unfinished event could not be finished', { eventId: envelope.id, error: (err as Error).name });
    }
  }
  return finished;
}
