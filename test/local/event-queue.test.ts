/**
 * `baton dev`'s event queue on an on-disk store (LMDB): POST /events answers `accepted` once the
 * event is stored and processes it behind the answer; one customer's events go one at a time in
 * acceptance order, different customers' side by side; an erasure waits for the customer's event
 * in progress and drops the others; a full queue refuses with 503 and Retry-After; and what one
 * run accepted and did not finish is processed at the next start, ahead of new events.
 *
 * Processing is held at StartExecution (the Step Functions port) by a gate the test opens call by
 * call, so every interleaving below is set by the test, not by timing.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Envelope } from '../../lib/core/envelope';
import { eraseCustomer } from '../../lib/core/erasure';
import { instanceId } from '../../lib/core/ids';
import type { Logger, StepFunctionsPort } from '../../lib/core/ports';
import { VirtualClock } from '../../lib/engine/clock';
import type { EventQueueOptions } from '../../lib/local/event-queue';
import { type LocalRuntime, startLocalRuntime } from '../../lib/local/runtime';
import { type LocalServer, listen } from '../../lib/server/http';
import { keys } from '../../lib/store/keys';
import { putProfile } from '../../lib/store/profiles';
import { helloJourney } from '../helpers';

const T0 = Date.parse('2026-11-20T15:00:00Z');
/** One instance per event (dedupe by event id, several at once), so each event makes one StartExecution. */
const journey = helloJourney({ entry: { concurrent: 'multiple' } });

const event = (id: string, customerId: string): Envelope => ({
  id,
  type: 'x.happened',
  customerId,
  channel: 'web',
  time: new Date(T0).toISOString(),
});

/** A StartExecution that arrived at the gate: which event's, and how to let it through or kill it. */
interface Arrival {
  eventId: string;
  release(): void;
  fail(err: Error): void;
}

/**
 * Holds every StartExecution of the runtime until the test lets it through, noting which event it
 * is for (the instance name is the journey, customer and event id) and how many of one customer's
 * are inside at once.
 */
class StartGate {
  readonly arrivals: string[] = [];
  readonly maxInsideByCustomer = new Map<string, number>();
  private readonly inside = new Map<string, number>();
  /** Arrived and not yet taken by `next`. */
  private readonly pending: Arrival[] = [];
  /** Arrived and not yet let through or failed. */
  private readonly held = new Set<Arrival>();
  private readonly waiters: ((a: Arrival) => void)[] = [];
  private open = false;

  constructor(
    private readonly rt: LocalRuntime,
    events: Envelope[],
  ) {
    const byName = new Map(events.map((e) => [instanceId(journey.journey.id, e.customerId, [e.id]), e]));
    const engine = rt.engine;
    const port: StepFunctionsPort = {
      startExecution: async (p) => {
        const e = byName.get(p.name);
        if (!e) throw new Error(`unexpected execution ${p.name}`);
        this.arrivals.push(e.id);
        const n = (this.inside.get(e.customerId) ?? 0) + 1;
        this.inside.set(e.customerId, n);
        this.maxInsideByCustomer.set(e.customerId, Math.max(n, this.maxInsideByCustomer.get(e.customerId) ?? 0));
        try {
          if (!this.open) await this.arrive(e.id);
          return await engine.startExecution(p);
        } finally {
          this.inside.set(e.customerId, (this.inside.get(e.customerId) ?? 1) - 1);
        }
      },
      sendTaskSuccess: (p) => engine.sendTaskSuccess(p),
      stopExecution: (p) => engine.stopExecution(p),
    };
    rt.deps.sfn = port;
  }

  /** The next call to arrive (or the earliest one held and not yet taken). */
  next(): Promise<Arrival> {
    const held = this.pending.shift();
    if (held) return Promise.resolve(held);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Let every call through from now on, those held included. */
  openAll(): void {
    this.open = true;
    this.pending.length = 0;
    for (const a of this.held) a.release();
  }

  private arrive(eventId: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const arrival: Arrival = {
        eventId,
        release: () => {
          this.held.delete(arrival);
          resolve();
        },
        fail: (err) => {
          this.held.delete(arrival);
          reject(err);
        },
      };
      this.held.add(arrival);
      const waiter = this.waiters.shift();
      if (waiter) waiter(arrival);
      else this.pending.push(arrival);
    });
  }

  /** Detach: the runtime's own engine again. */
  close(): void {
    this.openAll();
    this.rt.deps.sfn = this.rt.engine;
  }
}

class Killed extends Error {
  override readonly name = 'Killed';
}

const quiet: Logger = { info() {}, warn() {}, error() {} };

async function runtimeOn(dataDir: string, eventQueue: EventQueueOptions = {}): Promise<LocalRuntime> {
  return startLocalRuntime({ journeys: [journey], clock: new VirtualClock(T0), dataDir, log: quiet, eventQueue });
}

async function post(server: LocalServer, body: unknown) {
  const res = await fetch(`http://127.0.0.1:${server.port}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as never };
}

const statusOf = async (rt: LocalRuntime, id: string) => (await rt.table.get(keys.event(id), keys.single))?.status;
const timelineKinds = async (rt: LocalRuntime, customerId: string) =>
  (await rt.table.queryAll(keys.customer(customerId), { prefix: keys.timelinePrefix })).map(
    (i) => (i.entry as { kind: string }).kind,
  );
const count = (kinds: string[], kind: string) => kinds.filter((k) => k === kind).length;

describe("baton dev's event queue", () => {
  let rt: LocalRuntime;
  let server: LocalServer | undefined;
  let gate: StartGate | undefined;

  /** A runtime on a new data dir, its queue started and served as `baton dev` serves it. */
  async function serve(events: Envelope[], eventQueue: EventQueueOptions = {}) {
    rt = await runtimeOn(mkdtempSync(join(tmpdir(), 'baton-queue-')), eventQueue);
    gate = new StartGate(rt, events);
    await rt.events.start();
    server = await listen(rt.deps, 0, rt.events, rt.flushed);
    return { gate, server };
  }

  afterEach(async () => {
    gate?.close();
    await server?.close();
    // A test that failed half-way leaves work behind: let it end before the store closes.
    await rt?.processed().catch(() => {});
    await rt?.close();
    gate = server = undefined;
  });

  it('answers accepted once the event is stored, and processes it after the answer', async () => {
    const e1 = event('e-1', 'c-1');
    const { gate, server } = await serve([e1]);
    // Processing is held at the gate: an answer now can only come from the accept path.
    expect(await post(server, e1)).toMatchObject({
      status: 200,
      body: { failedCount: 0, results: [{ id: 'e-1', status: 'accepted' }] },
    });
    expect(await rt.table.get(keys.event('e-1'), keys.single)).toMatchObject({ status: 'pending', envelope: e1 });
    expect(await timelineKinds(rt, 'c-1')).not.toContain('exited');
    // The id is seen from the moment it is stored: a redelivery while it waits is a duplicate.
    expect((await post(server, e1)).body).toEqual({ failedCount: 0, results: [{ id: 'e-1', status: 'duplicate' }] });
    gate.openAll();
    await rt.processed();
    expect(await statusOf(rt, 'e-1')).toBe('done');
    expect(await timelineKinds(rt, 'c-1')).toEqual(['entered', 'suppressed', 'exited']);
  });

  it("processes one customer's events one at a time in acceptance order, different customers side by side", async () => {
    const [a1, b1, a2, a3, c1] = [
      event('a-1', 'c-a'),
      event('b-1', 'c-b'),
      event('a-2', 'c-a'),
      event('a-3', 'c-a'),
      event('c-1', 'c-c'),
    ];
    // Two customers at a time: a queue that ran a customer's events side by side would take a-2 next.
    const { gate, server } = await serve([a1, b1, a2, a3, c1], { concurrency: 2 });
    expect((await post(server, [a1, b1, a2, a3, c1])).status).toBe(200);
    const first = [await gate.next(), await gate.next()];
    // Both customers' first events are in processing at once.
    expect(first.map((a) => a.eventId).sort()).toEqual(['a-1', 'b-1']);
    first.find((a) => a.eventId === 'b-1')?.release();
    // b-1 done frees a slot: it goes to c-1, not to a-2, whose customer still has a-1 in processing.
    const third = await gate.next();
    expect(third.eventId).toBe('c-1');
    third.release();
    first.find((a) => a.eventId === 'a-1')?.release();
    const fourth = await gate.next();
    expect(fourth.eventId).toBe('a-2');
    fourth.release();
    const fifth = await gate.next();
    expect(fifth.eventId).toBe('a-3');
    fifth.release();
    await rt.processed();
    expect(gate.arrivals).toEqual(['a-1', 'b-1', 'c-1', 'a-2', 'a-3']);
    expect(Object.fromEntries(gate.maxInsideByCustomer)).toEqual({ 'c-a': 1, 'c-b': 1, 'c-c': 1 });
    for (const e of ['a-1', 'a-2', 'a-3', 'b-1', 'c-1']) expect([e, await statusOf(rt, e)]).toEqual([e, 'done']);
  });

  it('erases a customer only once their event in progress is done, and drops the ones they still had waiting', async () => {
    const [a1, a2, b1] = [event('a-1', 'c-a'), event('a-2', 'c-a'), event('b-1', 'c-b')];
    const { gate, server } = await serve([a1, a2, b1]);
    await putProfile(rt.table, { customerId: 'c-a', email: 'ana@example.com' }, T0);
    expect((await post(server, [a1, a2, b1])).status).toBe(200);
    const held = [await gate.next(), await gate.next()];
    const a1Held = held.find((a) => a.eventId === 'a-1');
    let a1AtErasure: unknown;
    // As DELETE /customers/{id} does it.
    const erasing = rt.events.exclusive('c-a', async () => {
      a1AtErasure = await statusOf(rt, 'a-1');
      return eraseCustomer(rt.deps, 'c-a');
    });
    a1Held?.release();
    await erasing;
    gate.openAll();
    await rt.processed();
    // a-1 was finished before the erasure began, so nothing it wrote outlives it...
    expect(a1AtErasure).toBe('done');
    expect((await rt.table.queryAll(keys.customer('c-a'))).map((i) => i.sk)).toEqual([keys.erasures]);
    // ...and a-2, still waiting, was dropped: never processed, its body gone.
    expect(gate.arrivals.filter((id) => id.startsWith('a-'))).toEqual(['a-1']);
    expect(await rt.table.get(keys.event('a-2'), keys.single)).toEqual({
      pk: keys.event('a-2'),
      sk: keys.single,
      status: 'erased',
      type: 'x.happened',
    });
    expect(await statusOf(rt, 'b-1')).toBe('done');
  });

  it("retries an event whose processing failed, then leaves it pending for the next start while its customer's later events go on", async () => {
    const [a1, a2, b1] = [event('a-1', 'c-a'), event('a-2', 'c-a'), event('b-1', 'c-b')];
    const errors: unknown[] = [];
    rt = await startLocalRuntime({
      journeys: [journey],
      clock: new VirtualClock(T0),
      dataDir: mkdtempSync(join(tmpdir(), 'baton-queue-')),
      log: { ...quiet, error: (message, extra) => errors.push({ message, ...extra }) },
      eventQueue: { retryDelaysMs: [0] },
    });
    gate = new StartGate(rt, [a1, a2, b1]);
    await rt.events.start();
    await rt.events.accept([a1, a2, b1]);
    const firstTries = [await gate.next(), await gate.next()];
    // b-1 fails once and is retried: done.
    firstTries.find((a) => a.eventId === 'b-1')?.fail(new Error('throttled'));
    (await gate.next()).release();
    // a-1 fails on every try (two): logged by id only, left pending; a-2 is not held up by it.
    firstTries.find((a) => a.eventId === 'a-1')?.fail(new Killed());
    const retry = await gate.next();
    expect(retry.eventId).toBe('a-1');
    retry.fail(new Killed());
    const after = await gate.next();
    expect(after.eventId).toBe('a-2');
    after.release();
    await rt.processed();
    expect(gate.arrivals).toEqual(['a-1', 'b-1', 'b-1', 'a-1', 'a-2']);
    expect([await statusOf(rt, 'a-1'), await statusOf(rt, 'a-2'), await statusOf(rt, 'b-1')]).toEqual([
      'pending',
      'done',
      'done',
    ]);
    expect(errors).toEqual([
      {
        message: 'an accepted event could not be processed; it stays pending until the next start',
        eventId: 'a-1',
        error: 'Killed',
      },
    ]);
  });

  it('refuses new events with 503 and Retry-After while the queue is full, accepting nothing of them', async () => {
    const [x1, y1, z1] = [event('x-1', 'c-x'), event('y-1', 'c-y'), event('z-1', 'c-z')];
    const { gate, server } = await serve([x1, y1, z1], { maxWaiting: 2 });
    expect((await post(server, [x1, y1])).body).toMatchObject({ failedCount: 0 });
    const refused = await post(server, z1);
    expect(refused).toEqual({
      status: 503,
      retryAfter: '1',
      body: {
        error: {
          code: 'busy',
          message:
            '2 accepted events are waiting to be processed and at most 2 may wait: nothing of this request was accepted; send it again in 1 s',
        },
      },
    });
    expect(await rt.table.get(keys.event('z-1'), keys.single)).toBeUndefined();
    const health = await fetch(`http://127.0.0.1:${server.port}/health`);
    expect(await health.json()).toMatchObject({ ok: true, eventsWaiting: 2 });
    gate.openAll();
    await rt.processed();
    expect((await post(server, z1)).body).toEqual({ failedCount: 0, results: [{ id: 'z-1', status: 'accepted' }] });
    await rt.processed();
    expect(await statusOf(rt, 'z-1')).toBe('done');
  });

  it('processes at the next start what a run accepted and did not finish, in acceptance order, ahead of new events, each once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'baton-queue-'));
    const [a1, b1, a2, a3, a4] = [
      event('a-1', 'c-a'),
      event('b-1', 'c-b'),
      event('a-2', 'c-a'),
      event('a-3', 'c-a'),
      event('a-4', 'c-a'),
    ];
    // Run 1: everything accepted; a-1 dies inside StartExecution (its instance recorded as starting)
    // as the run stops; nothing else was begun.
    const first = await runtimeOn(dataDir, { concurrency: 1, retryDelaysMs: [] });
    const firstGate = new StartGate(first, [a1]);
    await first.events.start();
    expect(await first.events.accept([a1, b1, a2, a3])).toEqual({
      statuses: ['accepted', 'accepted', 'accepted', 'accepted'],
    });
    const dying = await firstGate.next();
    const stopping = first.close();
    dying.fail(new Killed());
    await stopping;
    expect(firstGate.arrivals).toEqual(['a-1']);

    // Run 2 on the same data dir.
    rt = await runtimeOn(dataDir);
    gate = new StartGate(rt, [a1, b1, a2, a3, a4]);
    expect(await rt.events.start()).toBe(4);
    expect(await rt.events.accept([a4, a1])).toEqual({ statuses: ['accepted', 'duplicate'] });
    // The order survives the restart: the new event is behind the old ones in the store too.
    const order = async (id: string) => String((await rt.table.get(keys.event(id), keys.single))?.gsi1sk);
    expect((await order('a-4')) > (await order('a-3'))).toBe(true);
    gate.openAll();
    await rt.processed();
    expect(gate.arrivals.filter((id) => id.startsWith('a-'))).toEqual(['a-1', 'a-2', 'a-3', 'a-4']);
    for (const e of ['a-1', 'a-2', 'a-3', 'a-4', 'b-1']) expect([e, await statusOf(rt, e)]).toEqual([e, 'done']);
    const kinds = await timelineKinds(rt, 'c-a');
    expect([count(kinds, 'entered'), count(kinds, 'exited')]).toEqual([4, 4]);
  });
});
