/**
 * The record of an event while it is processed. It keeps the envelope from acceptance until the
 * event is done, so that processing cut short (a killed `baton dev`, a Lambda that timed out) can
 * be finished from the store alone; while pending it sits in the sparse index gsi1, so the
 * unfinished events are found without a scan. Once done it keeps only its id, status and type:
 * enough to answer `duplicate`, and no personal data.
 */

import { createHash } from 'node:crypto';
import { keys } from '../store/keys';
import type { Item, Table } from '../store/port';
import { when } from '../store/port';
import type { Envelope } from './envelope';
import { iso } from './timeline';

/**
 * Index partitions of pending events: every event writes its index entry and removes it, and one
 * DynamoDB partition takes about 1,000 writes a second, so the entries are spread by event id.
 */
export const PENDING_SHARDS = 16;

/**
 * How long a pending event's envelope is kept (its expiresAt: DynamoDB's TTL deletes it; locally
 * the start-up recovery drops it): as long as the ingest dead-letter queue keeps an event that
 * failed (14 days), after which nothing could finish it anyway.
 */
export const PENDING_TTL_SECONDS = 14 * 24 * 3600;

export type EventStatus = 'processing' | 'done' | 'erased';

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
    expiresAt: Math.ceil(now / 1000) + PENDING_TTL_SECONDS,
  };
}

/** Mark an event done: its envelope and index entry go; id, status and type stay for dedupe. */
export async function markEventDone(table: Table, eventId: string, now: number): Promise<void> {
  const status: EventStatus = 'done';
  await table.update(keys.event(eventId), keys.single, {
    set: { status, doneAt: iso(now), ...WITHOUT_BODY },
  });
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
    .filter((i) => i.status === 'processing' && i.envelope !== undefined)
    .sort((a, b) => (String(a.gsi1sk) < String(b.gsi1sk) ? -1 : 1))
    .map((i) => ({ envelope: i.envelope as Envelope, expiresAt: i.expiresAt as number | undefined }));
}

export interface PendingEvent {
  envelope: Envelope;
  /** Seconds since the epoch after which the envelope is no longer kept. */
  expiresAt?: number;
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
      { if: when.equals('status', 'processing') },
    );
    if (changed) erased++;
  }
  return erased;
}

/** Drop a pending event whose envelope is past its time (what DynamoDB's TTL does on AWS). */
export async function dropExpiredEvent(table: Table, eventId: string): Promise<void> {
  await table.delete(keys.event(eventId), keys.single, { if: when.equals('status', 'processing') });
}

/** Attributes that only a pending event has (undefined removes them). */
const WITHOUT_BODY = { envelope: undefined, gsi1pk: undefined, gsi1sk: undefined, expiresAt: undefined };

function shardOf(eventId: string): number {
  return createHash('sha256').update(eventId).digest()[0] % PENDING_SHARDS;
}
