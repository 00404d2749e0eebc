/**
 * `baton dev`'s durable event queue: POST /events is answered `accepted` once each event is
 * stored `pending` (one conditional write each, one commit for a request), and the events are
 * processed right behind the answer, as SQS and the ingest Lambda do on AWS.
 *
 * The queue is the store. In memory there are only the ids of the events waiting, by customer:
 * a customer's events are processed one at a time in the order they were accepted, different
 * customers' side by side (at most `concurrency` at once). Nothing polls: an accepted event wakes
 * the workers, and at start the pending index is read once and its events go first. An event is
 * done when processEvent marks it so, in one conditional write; a crash before that leaves it
 * pending, and since every step of processing is idempotent the next start finishes it without
 * repeating an effect. Past `maxWaiting` events waiting, new requests are refused (503) rather
 * than letting the backlog grow without bound.
 */
import type { Envelope } from '../core/envelope';
import { processEvent } from '../core/ingest';
import { acceptedAtOf, isUnfinished, pendingEvents, queuedEventRecord, queueSeqOf } from '../core/pending-events';
import type { Deps } from '../core/ports';
import type { AcceptAnswer, EventIntake } from '../server/intake';
import { keys } from '../store/keys';

export interface EventQueueOptions {
  /** Customers whose events are processed at once (default 32). */
  concurrency?: number;
  /** Events that may wait before new requests are refused with 503 (default 10,000). */
  maxWaiting?: number;
  /** Real milliseconds before each retry of an event whose processing failed (default 50, 500). */
  retryDelaysMs?: number[];
}

/** The queue was used before `start` or after `close`: nothing was stored. */
export class EventQueueNotRunningError extends Error {
  override readonly name = 'EventQueueNotRunningError';
  constructor(state: 'not started' | 'closed') {
    super(`the event queue is ${state}: no event was accepted`);
  }
}

/** An event waiting: its id, its customer, and whether its record was written (false: a duplicate). */
interface Entry {
  id: string;
  customerId: string;
  stored: Promise<boolean>;
}

/** The seconds a refused client is told to wait: the backlog drains by thousands a second. */
const RETRY_AFTER_SECONDS = 1;

/** Accepts events durably and processes them behind the answer. */
export class EventQueue implements EventIntake {
  private readonly concurrency: number;
  private readonly maxWaiting: number;
  private readonly retryDelaysMs: number[];
  /** Events waiting, by customer, in acceptance order. */
  private readonly byCustomer = new Map<string, Entry[]>();
  /** Customers with events waiting and none being processed, in the order they became so. */
  private readonly ready = new Fifo<string>();
  private readonly inReady = new Set<string>();
  /** The customers whose event is being processed, and the end of that processing. */
  private readonly running = new Map<string, Promise<void>>();
  /** Customers none of whose events may start (an erasure is running), with how many hold them. */
  private readonly held = new Map<string, number>();
  /** Events accepted and not yet processed (waiting or being processed). */
  private count = 0;
  /** The acceptance counter: continues from the highest found at start. */
  private seq = 0;
  private state: 'new' | 'running' | 'closed' = 'new';
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly deps: Deps,
    opts: EventQueueOptions = {},
  ) {
    this.concurrency = opts.concurrency ?? 32;
    this.maxWaiting = opts.maxWaiting ?? 10_000;
    this.retryDelaysMs = opts.retryDelaysMs ?? [50, 500];
  }

  /** Events accepted and not yet processed: what `maxWaiting` bounds, and `GET /health` shows. */
  get waiting(): number {
    return this.count;
  }

  /**
   * Take in every event a previous run accepted and did not finish (read once from the pending
   * index, oldest accepted first), ahead of any new one, and start processing. Returns how many.
   */
  async start(): Promise<number> {
    const found = await pendingEvents(this.deps.table);
    for (const p of found) {
      const seq = queueSeqOf(p.order);
      if (seq !== undefined && seq >= this.seq) this.seq = seq + 1;
      this.enqueue({ id: p.envelope.id, customerId: p.envelope.customerId, stored: Promise.resolve(true) });
    }
    this.state = 'running';
    this.pump();
    return found.length;
  }

  /** Store each event `pending` (one commit for them all) and queue it; `duplicate` for an id seen. */
  async accept(events: Envelope[]): Promise<AcceptAnswer> {
    if (this.state !== 'running') throw new EventQueueNotRunningError(this.state === 'new' ? 'not started' : 'closed');
    // An empty queue takes any batch, so no request is refused for good.
    if (this.count > 0 && this.count + events.length > this.maxWaiting) {
      return { full: { waiting: this.count, limit: this.maxWaiting, retryAfterSeconds: RETRY_AFTER_SECONDS } };
    }
    const now = this.deps.clock.now();
    // Written and queued in the same order, so the queue's order is the store's.
    const writes = events.map((event) => {
      const stored = this.deps.table.put(queuedEventRecord(event, now, this.seq++), { ifAbsent: true });
      // A write that failed fails the request (500): the worker just skips it.
      this.enqueue({ id: event.id, customerId: event.customerId, stored: stored.catch(() => false) });
      return stored;
    });
    const fresh = await Promise.all(writes);
    return { statuses: fresh.map((f) => (f ? 'accepted' : 'duplicate')) };
  }

  /** Run `fn` once the customer's event in progress (if any) is done, starting none of theirs meanwhile. */
  async exclusive<T>(customerId: string, fn: () => Promise<T>): Promise<T> {
    this.held.set(customerId, (this.held.get(customerId) ?? 0) + 1);
    try {
      await this.running.get(customerId);
      return await fn();
    } finally {
      const holds = (this.held.get(customerId) ?? 1) - 1;
      if (holds) this.held.set(customerId, holds);
      else {
        this.held.delete(customerId);
        this.makeReady(customerId);
        this.pump();
      }
    }
  }

  /** Resolves once no event is waiting or being processed (after `close`: once none is being processed). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Start nothing more and let the events being processed finish; those waiting stay pending in the store. */
  async close(): Promise<void> {
    this.state = 'closed';
    await Promise.all(this.running.values());
    this.notifyIdle();
  }

  private isIdle(): boolean {
    return this.count === 0 || (this.state === 'closed' && this.running.size === 0);
  }

  private enqueue(entry: Entry): void {
    this.count++;
    const list = this.byCustomer.get(entry.customerId);
    if (list) list.push(entry);
    else this.byCustomer.set(entry.customerId, [entry]);
    this.makeReady(entry.customerId);
    this.pump();
  }

  /** Put a customer in line, unless they are already, are being processed, are held or have nothing waiting. */
  private makeReady(customerId: string): void {
    if (this.inReady.has(customerId) || this.running.has(customerId) || this.held.has(customerId)) return;
    if (!this.byCustomer.get(customerId)?.length) return;
    this.inReady.add(customerId);
    this.ready.push(customerId);
  }

  private pump(): void {
    while (this.state === 'running' && this.running.size < this.concurrency) {
      const customerId = this.ready.shift();
      if (customerId === undefined) return;
      this.inReady.delete(customerId);
      // Held since it got in line: it is put back in line when released.
      if (this.held.has(customerId)) continue;
      const list = this.byCustomer.get(customerId);
      const entry = list?.shift();
      if (!entry) continue;
      if (!list?.length) this.byCustomer.delete(customerId);
      this.running.set(
        customerId,
        this.process(entry).then(() => this.finish(customerId)),
      );
    }
  }

  private finish(customerId: string): void {
    this.running.delete(customerId);
    this.count--;
    this.makeReady(customerId);
    this.pump();
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Process one event from its record; never throws (a failure leaves it pending for the next start). */
  private async process(entry: Entry): Promise<void> {
    // Not written: a duplicate, or a write that failed (its request was answered 500).
    if (!(await entry.stored)) return;
    for (let attempt = 0; ; attempt++) {
      try {
        const record = await this.deps.table.get(keys.event(entry.id), keys.single);
        // Done already, or erased with its customer (its envelope is gone): nothing to do.
        if (!isUnfinished(record)) return;
        await processEvent(this.deps, record?.envelope as Envelope, acceptedAtOf(record));
        return;
      } catch (err) {
        const delay = this.retryDelaysMs[attempt];
        if (delay === undefined || this.state === 'closed') {
          // Left pending, its customer's later events go on: a failure here must not stop the engine.
          this.deps.log.error('an accepted event could not be processed; it stays pending until the next start', {
            eventId: entry.id,
            error: (err as Error)?.name ?? 'Error',
          });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}

/** A first-in first-out queue whose `shift` does not move the rest (an array's does). */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    // Drop the consumed part now and then, so memory follows what is still queued.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
