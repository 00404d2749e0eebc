/**
 * A crash between any two side effects of ingest and of send, then the redelivery of the same
 * input, converges on the state of a run that never crashed: one entry line, one instance, at
 * most one message — and where the crash came after the provider call, the message is recorded
 * sent once or unknown, never sent twice.
 *
 * A process is modelled as a view of the store, the Step Functions port and the channel that
 * counts side effects (table writes, StartExecution and the other SFN calls, the provider call)
 * and dies when k of them have completed: the k+1-th throws and so does everything after it, as
 * nothing more happens in a dead process. Dying just after side effect k and just before k+1
 * leave the same store behind (only reads and computation come between), so k = 0..N covers
 * every crash point, k = N being a crash after the last write, before the caller was answered.
 * Each k runs on a fresh store with the same virtual clock, so runs are compared exactly.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listOutbox } from '../../lib/channels/outbox';
import type { Envelope } from '../../lib/core/envelope';
import { instanceId } from '../../lib/core/ids';
import { ingest } from '../../lib/core/ingest';
import type { Profile } from '../../lib/core/profile';
import { send } from '../../lib/core/send';
import type { SendInput, SendOutput } from '../../lib/core/task-input';
import type { TimelineEntry } from '../../lib/core/timeline';
import { VirtualClock } from '../../lib/engine/clock';
import { type LocalRuntime, type LocalRuntimeOptions, startLocalRuntime } from '../../lib/local/runtime';
import { keys } from '../../lib/store/keys';
import type { Item } from '../../lib/store/port';
import { putProfile } from '../../lib/store/profiles';
import { advanceTo, helloJourney } from '../helpers';
import { dyingProcess, SimulatedCrash } from './dying-process';

/**
 * The store the runs keep: memory, or LMDB in a data dir of their own when
 * crash-points-lmdb.test.ts runs this file (its writes resolve before they commit, in groups).
 */
const ON_LMDB = process.env.BATON_CRASH_POINTS_STORE === 'lmdb';
async function startRuntime(opts: LocalRuntimeOptions): Promise<LocalRuntime> {
  if (!ON_LMDB) return startLocalRuntime(opts);
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-crash-points-'));
  const rt = await startLocalRuntime({ ...opts, dataDir });
  return {
    ...rt,
    close: async () => {
      await rt.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const T0 = Date.parse('2026-11-20T18:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const ANA: Profile = {
  customerId: 'c-ana',
  email: 'ana@example.com',
  phone: '+15551230000',
  timezone: 'UTC',
  consent: { email: 'opted_in', sms: 'opted_in' },
  attributes: { firstName: 'Ana' },
};

/** The store after a run: the customer's partition, the event record, the ledger and the outbox. */
async function snapshot(rt: LocalRuntime, eventIds: string[] = []) {
  const customer = await rt.table.queryAll(keys.customer(ANA.customerId));
  const events = await Promise.all(eventIds.map((id) => rt.table.get(keys.event(id), keys.single)));
  const messageIds = customer.filter((i) => i.sk.startsWith(keys.messageIndexPrefix)).map((i) => i.messageId as string);
  const ledger = await Promise.all(messageIds.map((id) => rt.table.get(keys.message(id), keys.single)));
  const outbox = await listOutbox(rt.table, { customerId: ANA.customerId, limit: 100 });
  const timeline = customer.filter((i) => i.sk.startsWith(keys.timelinePrefix)).map((i) => i.entry as TimelineEntry);
  return { customer, events, ledger, outbox, timeline };
}
/** Run expectations, prefixing a failure with where the crash was. */
function at(where: string, check: () => void): void {
  try {
    check();
  } catch (err) {
    (err as Error).message = `${where}\n${(err as Error).message}`;
    throw err;
  }
}
const kinds = (lines: TimelineEntry[], kind: TimelineEntry['kind']) => lines.filter((l) => l.kind === kind);

describe('a crash between any two side effects of ingest, then redelivery or a restart', () => {
  // One trigger enters two journeys: a `single` one with cooldown, limit, goal and a session
  // touchpoint, and a `multiple` one; both wait an hour, send, and end.
  const journeys = [
    helloJourney({
      id: 'cart',
      trigger: { event: 'checkout.abandoned', dedupeBy: ['trigger.data.cartId'] },
      entry: { concurrent: 'single', cooldown: 'P1D', limit: 5 },
      context: { cartId: 'trigger.data.cartId' },
      goal: { event: 'order.placed', match: { cartId: 'trigger.data.cartId' } },
      start: 'wait',
      steps: {
        wait: { type: 'wait', for: 'PT1H', next: 'hello' },
        hello: { type: 'send', channel: 'email', template: 'hello', next: 'done' },
        done: { type: 'end' },
      },
    }),
    helloJourney({
      id: 'browse',
      trigger: { event: 'checkout.abandoned' },
      entry: { concurrent: 'multiple' },
      start: 'wait',
      steps: {
        wait: { type: 'wait', for: 'PT2H', next: 'hello' },
        hello: { type: 'send', channel: 'sms', template: 'hello', purpose: 'transactional', next: 'done' },
        done: { type: 'end' },
      },
    }),
  ];
  const trigger: Envelope = {
    id: 'evt-1',
    type: 'checkout.abandoned',
    customerId: ANA.customerId,
    channel: 'web',
    time: new Date(T0).toISOString(),
    sessionId: 's-1',
    data: { cartId: 'k-1', value: 120 },
  };

  /**
   * Ingest with a crash after `crashAt` side effects; then on a healthy process either the event
   * is redelivered, or (`restart`) it is not and the process starts again as `baton dev` does,
   * finishing the events in the store; then one more delivery; run to the end.
   */
  async function crashThen(crashAt: number | undefined, after: 'redeliver' | 'restart' = 'redeliver') {
    const clock = new VirtualClock(T0);
    const rt = await startRuntime({ journeys, clock, concurrency: 1 });
    try {
      await putProfile(rt.table, ANA, T0);
      const dying = dyingProcess(rt.deps, crashAt);
      const first = await dying.run((d) => ingest(d, trigger)).catch((e: unknown) => e);
      let redelivered: unknown;
      let finished: number | undefined;
      if (first instanceof Error && !(first instanceof SimulatedCrash)) throw first;
      if (after === 'restart') {
        // As `baton dev` starts: its event queue takes in what is pending and processes it.
        finished = await rt.events.start();
        await rt.events.idle();
      } else if (first instanceof SimulatedCrash) redelivered = await ingest(rt.deps, trigger);
      // One more delivery: a duplicate once the event was recorded.
      const again = await ingest(rt.deps, trigger);
      await rt.engine.idle();
      await advanceTo(rt.engine, clock, T0 + 3 * HOUR);
      await rt.engine.idle();
      const state = await snapshot(rt, [trigger.id]);
      return { first, redelivered, finished, again, effects: dying.proc.effects, state };
    } finally {
      await rt.close();
    }
  }
  const crashThenRedeliver = (crashAt: number | undefined) => crashThen(crashAt, 'redeliver');

  it('converges on the clean run at every crash point', async () => {
    const clean = await crashThenRedeliver(undefined);
    const n = clean.effects.length;
    // The clean run: the event record, touchpoint, lock, count, instance, lines and starts of two entries.
    expect(clean.first).toBe('accepted');
    expect(clean.effects).toEqual(expect.arrayContaining(['sfn startExecution']));
    expect(n).toBeGreaterThan(10);
    expect(kinds(clean.state.timeline, 'entered')).toHaveLength(2);
    expect(kinds(clean.state.timeline, 'sent')).toHaveLength(2);
    expect(kinds(clean.state.timeline, 'exited')).toHaveLength(2);
    expect(clean.state.outbox).toHaveLength(2);
    expect(clean.again).toBe('duplicate');

    for (let k = 0; k <= n; k++) {
      const run = await crashThenRedeliver(k);
      at(`crash after ${k} of ${n} side effects (${clean.effects[k] ?? 'answering'} not done)`, () => {
        expect(run.first).toEqual(expect.any(SimulatedCrash));
        // An event cut short is not done, so its redelivery is processed, never dropped as a
        // duplicate; one that finished before the crash is.
        expect(run.redelivered).toBe(k < n ? 'accepted' : 'duplicate');
        expect(run.again).toBe('duplicate');
        // The same store as the clean run: lines, instances, lock, counters, session, ledger, outbox.
        expect(run.state).toEqual(clean.state);
      });
    }
  });

  it('a restart finishes every event a crash cut short, without its redelivery', async () => {
    const clean = await crashThen(undefined, 'restart');
    const n = clean.effects.length;
    expect(clean.finished).toBe(0);
    expect(kinds(clean.state.timeline, 'exited')).toHaveLength(2);
    // The record of a finished event keeps what dedupe needs, never the event's data.
    expect(clean.state.events).toEqual([
      { pk: keys.event(trigger.id), sk: keys.single, status: 'done', type: trigger.type, doneAt: trigger.time },
    ]);
    for (let k = 0; k <= n; k++) {
      const run = await crashThen(k, 'restart');
      at(`crash after ${k} of ${n} side effects (${clean.effects[k] ?? 'answering'} not done), then a restart`, () => {
        expect(run.first).toEqual(expect.any(SimulatedCrash));
        // Recorded (the first side effect) and not done: the restart finishes it. Never recorded:
        // the client had no answer and sends it again, which is then its first delivery.
        expect(run.finished).toBe(k >= 1 && k < n ? 1 : 0);
        expect(run.again).toBe(k === 0 ? 'accepted' : 'duplicate');
        expect(run.state).toEqual(clean.state);
      });
    }
  });
});

describe('an entry cut short and never delivered again (AWS: its event in the dead-letter queue)', () => {
  // concurrent: single, no cooldown: whatever holds the lock, a trigger is refused only while an
  // instance of the customer really runs.
  const journey = helloJourney({
    id: 'cart',
    trigger: { event: 'checkout.abandoned', dedupeBy: ['trigger.data.cartId'] },
    entry: { concurrent: 'single' },
    start: 'wait',
    steps: {
      wait: { type: 'wait', for: 'PT1H', next: 'hello' },
      hello: { type: 'send', channel: 'email', template: 'hello', next: 'done' },
      done: { type: 'end' },
    },
  });
  const cart = (id: string, cartId: string, at: number): Envelope => ({
    id,
    type: 'checkout.abandoned',
    customerId: ANA.customerId,
    channel: 'web',
    time: new Date(at).toISOString(),
    data: { cartId },
  });

  /** Trigger A dies after `crashAt` side effects; no restart, no redelivery. Later: B and C at once, then D. */
  async function crashThenLaterTriggers(crashAt: number | undefined) {
    const clock = new VirtualClock(T0);
    const rt = await startRuntime({ journeys: [journey], clock, concurrency: 1 });
    try {
      await putProfile(rt.table, ANA, T0);
      const dying = dyingProcess(rt.deps, crashAt);
      const first = await dying.run((d) => ingest(d, cart('evt-a', 'k-a', T0))).catch((e: unknown) => e);
      if (first instanceof Error && !(first instanceof SimulatedCrash)) throw first;
      // Past the time an entry may take: whatever A left is no longer in progress.
      clock.advanceTo(T0 + 10 * MINUTE);
      await Promise.all([
        ingest(rt.deps, cart('evt-b', 'k-b', clock.now())),
        ingest(rt.deps, cart('evt-c', 'k-c', clock.now())),
      ]);
      await rt.engine.idle();
      await advanceTo(rt.engine, clock, T0 + 3 * HOUR);
      await ingest(rt.deps, cart('evt-d', 'k-d', clock.now()));
      await rt.engine.idle();
      await advanceTo(rt.engine, clock, T0 + 6 * HOUR);
      await rt.engine.idle();
      return { first, effects: dying.proc.effects, state: await snapshot(rt) };
    } finally {
      await rt.close();
    }
  }

  it('the lock heals at every crash point: a recorded instance is started, and one instance runs at a time', async () => {
    const [A, B, C, D] = ['k-a', 'k-b', 'k-c', 'k-d'].map((cartId) => instanceId('cart', ANA.customerId, [cartId]));
    const linesOf = (timeline: TimelineEntry[], instance: string) =>
      timeline.filter((l) => l.instance === instance).map((l) => (l.reason ? `${l.kind}:${l.reason}` : l.kind));
    const ran = ['entered', 'sent', 'exited:completed'];
    const clean = await crashThenLaterTriggers(undefined);
    const n = clean.effects.length;
    const recorded = clean.effects.indexOf(`put ${keys.customer(ANA.customerId)} ${keys.instance('cart', A)}`);
    const started = clean.effects.indexOf('sfn startExecution');
    expect(recorded).toBeGreaterThan(0);
    expect(started).toBeGreaterThan(recorded);
    expect(linesOf(clean.state.timeline, A)).toEqual(ran);
    expect(linesOf(clean.state.timeline, B)).toEqual(['ignored:already-active']);

    for (let k = 0; k <= n; k++) {
      const run = await crashThenLaterTriggers(k);
      at(`A crashed after ${k} of ${n} side effects (${clean.effects[k] ?? 'answering'} not done)`, () => {
        const { timeline } = run.state;
        // Two instances, one after the other, each run to its end: the first of A, B, C, then D.
        const entered = kinds(timeline, 'entered');
        expect(entered.map((l) => l.instance)).toEqual([expect.any(String), D]);
        const first = entered[0].instance;
        // A recorded instance is never lost: a later trigger starts it. (Before that, A is only a
        // pending event: redelivery or the dead-letter queue's redrive will bring it.)
        if (k > recorded) expect(first).toBe(A);
        for (const i of [A, B, C]) {
          const others = i === A ? [] : ['ignored:already-active'];
          expect([i, linesOf(timeline, i)]).toEqual([i, i === first ? ran : others]);
        }
        expect(linesOf(timeline, D)).toEqual(ran);
        expect(run.state.outbox).toHaveLength(2);
        // A started by a later trigger runs from then (10 minutes on), else from its own start.
        const startedAt = first === A && k > started ? T0 : T0 + 10 * MINUTE;
        expect(kinds(timeline, 'exited')[0].at).toBe(new Date(startedAt + HOUR).toISOString());
      });
    }
  });
});

describe('a crash between any two side effects of a send, then the task retried', () => {
  const journey = helloJourney({
    id: 'nudge',
    settings: { frequencyCap: { max: 3, per: 'P1D', scope: 'customer' } },
  });
  const input = (over: Partial<SendInput> = {}): SendInput => ({
    journey: 'nudge',
    version: 1,
    step: 'hello',
    instance: 'i-crash',
    customerId: ANA.customerId,
    visit: new Date(T0).toISOString(),
    channels: ['email'],
    template: 'hello',
    purpose: 'marketing',
    frequencyCap: { max: 3, perSeconds: 86_400, scope: 'customer' },
    trigger: {},
    context: {},
    ...over,
  });

  async function crashThenRetry(profile: Profile, crashAt: number | undefined) {
    const clock = new VirtualClock(T0);
    const rt = await startRuntime({ journeys: [journey], clock, concurrency: 1 });
    try {
      await putProfile(rt.table, profile, T0);
      const dying = dyingProcess(rt.deps, crashAt);
      const first = await dying.run((d) => send(d, input())).catch((e: unknown) => e);
      // Step Functions retries the task with the same input: the same step visit. (At the same
      // virtual instant, so that the stores compare exactly; times are not what is tested here.)
      const healthy = dyingProcess(rt.deps, undefined);
      const retried = first instanceof SimulatedCrash ? await healthy.run((d) => send(d, input())) : undefined;
      if (first instanceof Error && !(first instanceof SimulatedCrash)) throw first;
      const providerCalls = dying.proc.providerCalls + healthy.proc.providerCalls;
      return {
        first,
        retried,
        effects: dying.proc.effects,
        providerCalls,
        calledBeforeCrash: dying.proc.providerCalls,
        state: await snapshot(rt),
      };
    } finally {
      await rt.close();
    }
  }

  it('a message that goes: sent once, or recorded unknown when the crash may have hit the provider call', async () => {
    const clean = await crashThenRetry(ANA, undefined);
    const n = clean.effects.length;
    expect(clean.first).toMatchObject({ outcome: 'sent' });
    const claim = clean.effects.findIndex((e) => e.startsWith('put M#'));
    const provider = clean.effects.indexOf('provider email');
    expect(claim).toBeGreaterThanOrEqual(0);
    expect(provider).toBeGreaterThan(claim);
    const [sent] = kinds(clean.state.timeline, 'sent');
    expect(sent).toBeDefined();
    expect(clean.state.outbox).toHaveLength(1);

    const outcomes = new Set<string>();
    for (let k = 0; k <= n; k++) {
      const run = await crashThenRetry(ANA, k);
      const out = run.retried as SendOutput;
      outcomes.add(`${out.outcome}${'reason' in out ? `:${out.reason}` : ''}`);
      at(`crash after ${k} of ${n} side effects (${clean.effects[k] ?? 'answering'} not done)`, () => {
        // Never two messages, nor two provider calls, for one step visit.
        expect(run.providerCalls).toBe(run.state.outbox.length);
        expect(run.state.outbox.length).toBeLessThanOrEqual(1);
        if (k <= claim) {
          // Nothing was claimed: the retry sends, as if nothing had happened.
          expect(out).toEqual(clean.first);
          expect(run.state).toEqual(clean.state);
          return;
        }
        // Claimed: the retry never calls the provider again.
        expect(run.providerCalls).toBe(run.calledBeforeCrash);
        if (out.outcome === 'sent') {
          // The crash came after the outcome was recorded: the retry finishes the job, identically.
          expect(run.calledBeforeCrash).toBe(1);
          expect(run.state).toEqual(clean.state);
          return;
        }
        // The crash may have hit the provider call: unknown, and the same store modulo unknown.
        expect(out).toEqual({ outcome: 'failed', reason: 'unknown', messageId: sent.messageId });
        expect(run.state.outbox).toHaveLength(run.calledBeforeCrash);
        expect(kinds(run.state.timeline, 'note')).toEqual([{ ...sent, kind: 'note', reason: 'send-unknown' }]);
        expect(moduloUnknown(run.state)).toEqual(moduloUnknown(clean.state));
      });
    }
    // Both kinds of crash point were met.
    expect([...outcomes].sort()).toEqual(['failed:unknown', 'sent']);
  });

  it('a suppressed message: the retry records the same suppression, never a message', async () => {
    const optedOut: Profile = { ...ANA, consent: { email: 'opted_out' } };
    const clean = await crashThenRetry(optedOut, undefined);
    const n = clean.effects.length;
    expect(clean.first).toMatchObject({ outcome: 'suppressed', reason: 'consent' });
    expect(kinds(clean.state.timeline, 'suppressed')).toHaveLength(1);
    for (let k = 0; k <= n; k++) {
      const run = await crashThenRetry(optedOut, k);
      at(`crash after ${k} of ${n} side effects (${clean.effects[k] ?? 'answering'} not done)`, () => {
        expect(run.retried).toEqual(clean.first);
        expect(run.providerCalls).toBe(0);
        expect(run.state).toEqual(clean.state);
      });
    }
  });
});

type Snapshot = Awaited<ReturnType<typeof snapshot>>;

/**
 * A store seen without what an unknown outcome changes: the message's status, the provider's
 * answer, its line (a send-unknown note instead of `sent`) and the outbox; and the frequency-cap
 * log, which a crash between the claim and the cap's slot leaves without a slot (the message
 * never went out then, but it is unknown all the same).
 */
function moduloUnknown(s: Snapshot) {
  const unknown = (i: Item) => (i.sk === keys.single || i.sk.startsWith('MS#') ? { ...i, status: 'unknown' } : i);
  return {
    events: s.events,
    ledger: s.ledger.map((i) => {
      const { providerMessageId: _p, sentAt: _s, ...rest } = unknown(i as Item);
      return rest;
    }),
    customer: s.customer.filter((i) => !i.sk.startsWith(keys.timelinePrefix) && !i.sk.startsWith('CAP#')).map(unknown),
    timeline: s.timeline.map((l) => (l.kind === 'sent' ? { ...l, kind: 'note', reason: 'send-unknown' } : l)),
  };
}
