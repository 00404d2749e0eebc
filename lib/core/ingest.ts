/**
 * Ingest of one valid event (SPEC §1): engine-reserved types first (feedback, consent, stop
 * words), then resume waiting instances, end instances on goals, and start new ones. Every step
 * is idempotent, so a redelivered or concurrently duplicated event changes nothing twice.
 */

import type { Keep } from '../journey/reads';
import { countConversions } from '../results/conversion';
import { countFeedback } from '../results/feedback';
import { keys } from '../store/keys';
import { when } from '../store/port';
import { getProfile, setConsent } from '../store/profiles';
import { ENGAGING_FEEDBACK, recordEngagement } from './engagement';
import { enterJourney, executionArnOf } from './entry';
import { consentChangeOf, type Envelope, isStopWord } from './envelope';
import { wakeEscalations } from './escalation';
import { endInstance, liveInstances } from './instances';
import { dataMatches } from './park';
import { acceptedAtOf, isSettled, markEventDone, pendingEventRecord } from './pending-events';
import type { Deps } from './ports';
import { project } from './projection';
import { recordTouchpoint, sessionTimeoutsOf } from './sessions';
import { iso } from './timeline';
import { hourOfWeek } from './zoned-time';

export type IngestStatus = 'accepted' | 'duplicate';

/** Errors Step Functions gives for a task token that can no longer be completed. */
const DEAD_TOKEN_ERRORS = new Set(['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken']);

/** Process one valid event; `duplicate` when its id was seen and needs nothing more. */
export async function ingest(deps: Deps, event: Envelope): Promise<IngestStatus> {
  const eventKey = keys.event(event.id);
  // One conditional write for a new event (the common case); a known one is read to see how far it got.
  // The record keeps the envelope until the event is done, so that a run cut short can be finished
  // without a redelivery (by `baton dev`'s event queue at its next start).
  const now = deps.clock.now();
  const fresh = await deps.table.put(pendingEventRecord(event, now), { ifAbsent: true });
  const stored = fresh ? undefined : await deps.table.get(eventKey, keys.single);
  if (isSettled(stored)) return 'duplicate';
  // Not done: new, or a delivery that died half-way (or is running right now). Every step of
  // processEvent is idempotent, so processing it again completes it and never repeats an effect;
  // an event that was accepted is therefore never lost to a crash.
  await processEvent(deps, event, acceptedAtOf(stored) ?? now);
  return 'accepted';
}

/**
 * Process an event whose record is stored and not done (`acceptedAt`: when the engine first
 * accepted it, which its entries are made as of): reserved types, touchpoint, escalations,
 * waits, goals, entries, then the record is marked done. Idempotent step by step, so a run cut
 * short is finished by running it again (ingest on a redelivery, `baton dev`'s queue at start).
 */
export async function processEvent(deps: Deps, event: Envelope, acceptedAt = deps.clock.now()): Promise<void> {
  // Locally, wait while the engine is behind: the event stays pending in the store, not in memory.
  await deps.sfn.room?.();
  await applyReserved(deps, event);
  const touchpoint = await recordTouchpoint(deps.table, event, {
    now: deps.clock.now(),
    timeouts: deps.catalog.derived('sessionTimeouts', sessionTimeoutsOf),
  });
  if (touchpoint) await wakeEscalations(deps, event.customerId);
  const resumed = await resumeWaits(deps, event);
  await endOnGoals(deps, event, resumed);
  await countConversions(deps, event);
  for (const entry of deps.catalog.triggeredBy(event.type)) {
    await enterJourney(deps, entry, event, acceptedAt);
  }
  await markEventDone(deps.table, event.id, deps.clock.now());
}

const FEEDBACK_RANK: Record<string, number> = {
  delivered: 1,
  opened: 2,
  clicked: 3,
  replied: 3,
  bounced: 4,
  failed: 4,
};

/**
 * When a consent change took effect: the event's time, or the engine's now if the event is dated
 * ahead of it (up to 24 h is accepted). A source whose clock runs fast cannot date a change after
 * changes made later by the engine's clock: an opt-in dated six hours ahead must not outrank an
 * opt-out from the preference center an hour later (consent is ordered by time, SPEC §1).
 */
function consentTimeOf(event: Envelope, nowMs: number): string {
  return Date.parse(event.time) > nowMs ? iso(nowMs) : event.time;
}

async function applyReserved(deps: Deps, event: Envelope): Promise<void> {
  const data = event.data ?? {};
  if (event.type === 'consent.updated') {
    // parseEnvelope rejected a consent.updated without a channel and a status: this one has both.
    const change = consentChangeOf(event);
    const at = consentTimeOf(event, deps.clock.now());
    if (change) await setConsent(deps.table, event.customerId, { ...change, at, eventId: event.id });
    return;
  }
  if (!event.type.startsWith('message.')) return;
  const status = event.type.slice('message.'.length);
  if (status === 'replied' && event.channel === 'sms' && isStopWord(data.text)) {
    await setConsent(deps.table, event.customerId, {
      channel: 'sms',
      status: 'opted_out',
      at: consentTimeOf(event, deps.clock.now()),
      eventId: event.id,
    });
  }
  const messageId = data.messageId;
  if (typeof messageId !== 'string' || FEEDBACK_RANK[status] === undefined) return;
  const ledger = await deps.table.get(keys.message(messageId), keys.single);
  if (!ledger || ledger.customerId !== event.customerId) return;
  const current = FEEDBACK_RANK[ledger.feedback as string] ?? 0;
  if (FEEDBACK_RANK[status] < current) return;
  await deps.table.update(ledger.pk, ledger.sk, { set: { feedback: status, feedbackAt: event.time } });
  await countFeedback(deps, ledger, status);
  // One engagement per message: the first open, click or reply wins a conditional write.
  if (ENGAGING_FEEDBACK.has(status) && typeof ledger.channel === 'string') {
    const first = await deps.table.update(
      ledger.pk,
      ledger.sk,
      { set: { engagedAt: event.time } },
      { if: when.absent('engagedAt') },
    );
    if (first) {
      const zone = (await getProfile(deps.table, event.customerId))?.timezone ?? 'UTC';
      await recordEngagement(deps.table, event.customerId, ledger.channel, hourOfWeek(Date.parse(event.time), zone));
    }
  }
  const pointer = await deps.table.get(
    keys.customer(event.customerId),
    keys.stepMessage(ledger.instance as string, ledger.step as string),
  );
  if (pointer?.messageId === messageId) {
    await deps.table.update(pointer.pk, pointer.sk, { set: { status } });
  }
}

/** Complete every parked waitFor of this customer that this event satisfies; returns their instances. */
async function resumeWaits(deps: Deps, event: Envelope): Promise<Set<string>> {
  const resumed = new Set<string>();
  const pk = keys.customer(event.customerId);
  const waits = await deps.table.queryAll(pk, { prefix: keys.waitPrefix(event.type) });
  for (const wait of waits) {
    if (!dataMatches(event.data, wait.match as Record<string, unknown>)) continue;
    // Only the fields the journey reads enter the execution; a wait parked before the journey
    // said which (no `keep`) gets the whole event, as it did then.
    const output = project(event, wait.keep as Keep | undefined);
    // Noted on the instance's live mark first, where it outlives the wait item: a redelivery after
    // a crash past this point finds the token spent or the wait gone, and must still not end the
    // instance on this event as its goal (endOnGoals). An instance nothing can stop has no mark.
    await deps.table.update(
      pk,
      keys.liveInstance(wait.journey as string, wait.instance as string),
      { set: { resumedBy: event.id } },
      { if: when.itemExists },
    );
    try {
      await deps.sfn.sendTaskSuccess({ taskToken: wait.token as string, output: JSON.stringify(output) });
      resumed.add(wait.instance as string);
    } catch (err) {
      if (!DEAD_TOKEN_ERRORS.has((err as Error).name)) throw err;
    }
    await deps.table.delete(wait.pk, wait.sk);
  }
  return resumed;
}

/**
 * End instances whose goal or exitOn event this is. An instance that was waiting for this very
 * event in a waitFor goes on along that step's `next` instead: the journey said what to do with it.
 */
async function endOnGoals(deps: Deps, event: Envelope, resumed: Set<string>): Promise<void> {
  for (const inst of await liveInstances(deps, event.customerId)) {
    if (resumed.has(inst.instance) || inst.resumedBy === event.id) continue;
    const stop = (inst.stops ?? []).find((s) => s.event === event.type && dataMatches(event.data, s.match));
    if (!stop) continue;
    try {
      const executionArn = executionArnOf(inst.stateMachineArn, inst.instance);
      await deps.sfn.stopExecution({
        executionArn,
        error: `Baton.${stop.reason}`,
        cause: `${stop.reason}: ${event.type}`,
      });
    } catch (err) {
      if ((err as Error).name !== 'ExecutionDoesNotExist') throw err;
    }
    await endInstance(deps, event.customerId, inst.journey, inst.instance, stop.reason);
  }
}
