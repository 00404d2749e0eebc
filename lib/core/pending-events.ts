/**
 * The record of an event while it is processed. It keeps the envelope from acceptance until the
 * event is done, so that processing cut short (a killed `baton dev`, a Lambda that timed out) can
 * be finished from the store alone; while pending it sits in the sparse index gsi1, so the
 * unfinished events are found without a scan. Once done it keeps only its id, status and type:
 * enough to answer `duplicate`, and no personal data.
 *
 * Two ways in: ingest on AWS writes it `processing` and processes the event at once; `baton dev`
 * accepts it `pending` into its durable queue (lib/local/event-queue.ts) and processes it behind
 * the answer. Either way it ends `done`, or `erased` with its customer.
 */

import { keys } from '../store/keys';
import type { Item, Table } from '../store/port';
import { when } from '../store/port';
import type { Envelope } from './envelope';
import { fnv1a } from './fnv';
import { iso } from './timeline';

/**
 * Index partitions of pending events: every event writes its index entry and removes it, and one
 * DynamoDB partition takes about 1,000 writes a second, so the entries are spread by event id.
 */
export const PENDING_SHARDS = 16;

/**
 * How long a pending event's envelope is kept (its expiresAt: DynamoDB's TTL deletes it; locally
 * reads no longer see it, so it is not processed): as long as the ingest dead-letter queue keeps an event that
 * failed (14 days), after which nothing could finish it anyway.
 */
export const PENDING_TTL_SECONDS = 14 * 24 * 3600;

export type EventStatus = 'pending' | 'processing' | 'done' | 'erased';

/** The statuses of an event not finished yet: its record still holds the envelope. */
const UNFINISHED: EventStatus[] = ['pending', 'processing'];

/** The record written when an event is accepted (a conditional put: only the first delivery writes it). */
export function pendingEventRecord(event: Envelope, now: number): Item {
  const status: EventStatus = 'processing';
  return {
    pk: keys.event(event.id),
    sk: keys.single,
    status,
    type: event.type,
    envelope: event,
    gsi1pk: keys.pendingEvents(shardOf(event.id)),
    // Acceptance order: the engine clock, then the id (two events of one millisecond came in at once).
    gsi1sk: `${iso(now)}#${event.id}`,
    // When the engine first accepted it: a delivery again after a crash processes it as of then,
    // so that what it writes keyed by time (an `ignored` line) meets the first attempt's writes.
    acceptedAt: now,
    expiresAt: Math.ceil(now / 1000) + PENDING_TTL_SECONDS,
  };
}

/** When the engine first accepted an event, from its record (one written before this was kept has none). */
export function acceptedAtOf(record: Item | undefined): number | undefined {
  const at = record?.acceptedAt;
  return typeof at === 'number' ? at : undefined;
}

/**
 * The record `baton dev` writes when it accepts an event into its queue: `pending`, ordered in the
 * index by `seq`, the queue's own acceptance counter (the engine clock may be set back between
 * runs with --reset-clock; the counter never is). Zero-padded, so the sort key orders it.
 */
export function queuedEventRecord(event: Envelope, now: number, seq: number): Item {
  const status: EventStatus = 'pending';
  return { ...pendingEventRecord(event, now), status, gsi1sk: `${QUEUE_ORDER}${String(seq).padStart(15, '0')}` };
}

/** Where queued records' sort keys start (after every time-ordered one, which starts with a digit). */
const QUEUE_ORDER = 'Q#';

/** The acceptance counter of a queued record's sort key, or undefined for one ingest wrote. */
export function queueSeqOf(order: string): number | undefined {
  return order.startsWith(QUEUE_ORDER) ? Number(order.slice(QUEUE_ORDER.length)) : undefined;
}

/** Whether a record is of an event still to be processed: pending or processing, with its envelope. */
export function isUnfinished(record: Item | undefined): boolean {
  return UNFINISHED.includes(record?.status as EventStatus) && record?.envelope !== undefined;
}

/**
 * Mark an event done: its envelope and index entry go; id, status and type stay for dedupe. One
 * conditional write from pending or processing, so an event erased meanwhile stays erased.
 */
export async function markEventDone(table: Table, eventId: string, now: number): Promise<void> {
  const status: EventStatus = 'done';
  await table.update(
    keys.event(eventId),
    keys.single,
    { set: { status, doneAt: iso(now), ...WITHOUT_BODY } },
    { if: when.in('status', UNFINISHED) },
  );
}

/** Whether a known event needs no more processing: done, or erased with its customer. */
export function isSettled(record: Item | undefined): boolean {
  return record?.status === 'done' || record?.status === 'erased';
}

/** The events accepted and not done, oldest accepted first. */
export async function pendingEvents(table: Table): Promise<PendingEvent[]> {
  const shards = Array.from({ length: PENDING_SHARDS }, (_, s) => table.queryIndexAll(keys.pendingEvents(s)));
  const items = (await Promise.all(shards)).flat();
  return items
    .filter((i) => isUnfinished(i))
    .sort((a, b) => (String(a.gsi1sk) < String(b.gsi1sk) ? -1 : 1))
    .map((i) => ({
      envelope: i.envelope as Envelope,
      expiresAt: i.expiresAt as number | undefined,
      order: String(i.gsi1sk),
    }));
}

export interface PendingEvent {
  envelope: Envelope;
  /** Seconds since the epoch after which the envelope is no longer kept. */
  expiresAt?: number;
  /** Its place in acceptance order (the index sort key). */
  order: string;
}

/**
 * Erasure: a pending event of the customer loses its envelope and reads as `erased`, so that a
 * later delivery of it is a duplicate and does not bring the customer's data back. Returns how many.
 */
export async function erasePendingEvents(table: Table, customerId: string): Promise<number> {
  let erased = 0;
  for (const { envelope } of await pendingEvents(table)) {
    if (envelope.customerId !== customerId) continue;
    const status: EventStatus = 'erased';
    const changed = await table.update(
      keys.event(envelope.id),
      keys.single,
      { set: { status, ...WITHOUT_BODY } },
      { if: when.in('status', UNFINISHED) },
    );
    if (changed) erased++;
  }
  return erased;
}

/** Attributes that only a pending event has (undefined removes them). */
const WITHOUT_BODY = {
  envelope: undefined,
  gsi1pk: undefined,
  gsi1sk: undefined,
  expiresAt: undefined,
  acceptedAt: undefined,
};

/** The index shard of a pending event (a digest of its id took a few microseconds, for every event). */
function shardOf(eventId: string): number {
  return fnv1a(eventId) % PENDING_SHARDS;
}
