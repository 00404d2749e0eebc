/**
 * Where POST /events puts the events it accepts. `baton dev` has a durable queue: an event is
 * answered `accepted` once it is stored, and processed right behind the answer, as SQS and the
 * ingest Lambda do on AWS. Without one (the API Lambda on AWS) each event is processed before the
 * answer, as ingest always did.
 */
import type { Envelope } from '../core/envelope';
import type { IngestStatus } from '../core/ingest';
import { type ApiResponse, errorBody } from './response';

/** Too many events are waiting to be processed: nothing of the request was accepted. */
export interface QueueFull {
  /** Events accepted and not yet processed. */
  waiting: number;
  /** How many may wait before new ones are refused. */
  limit: number;
  retryAfterSeconds: number;
}

/** A status per event, in the order given, or that the queue is full. */
export type AcceptAnswer = { statuses: IngestStatus[] } | { full: QueueFull };

/** A durable queue of events, as the routes use it. */
export interface EventIntake {
  /** Store each event as pending, all in one commit; `duplicate` for an id seen before. */
  accept(events: Envelope[]): Promise<AcceptAnswer>;
  /** Run `fn` while none of the customer's events is being processed (erasure). */
  exclusive<T>(customerId: string, fn: () => Promise<T>): Promise<T>;
  /** Events accepted and not yet processed. */
  readonly waiting: number;
}

/** 503 with Retry-After: the client sends the same request again later; its ids are still unseen. */
export function queueFullAnswer(full: QueueFull): ApiResponse {
  return {
    ...errorBody(
      503,
      'busy',
      `${full.waiting} accepted events are waiting to be processed and at most ${full.limit} may wait: nothing of this request was accepted; send it again in ${full.retryAfterSeconds} s`,
    ),
    headers: { 'retry-after': String(full.retryAfterSeconds) },
  };
}
