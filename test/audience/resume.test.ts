/**
 * A run killed mid-way and resumed (SPEC §6): `baton dev`'s runtime on an LMDB data dir runs an
 * audience of 30 at 2 a second, and dies at a write — listing, between two batches, inside a
 * member's entry, inside a send. A new runtime on the same data dir (what a restart is) resumes
 * it: every member enters once and gets at most one message, nobody is skipped, the run
 * succeeds. (A kill inside a send, between the provider call and its record, leaves that one
 * message `unknown`: it may have gone out, so it is never sent again.)
 *
 * The death is a view of the store that refuses every request from its k-th write on, as a
 * kill -9 leaves the writes before it and none after; k runs over the whole run.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExecutionName } from '../../lib/audience/run-identity';
import { listOutbox } from '../../lib/channels/outbox';
import type { TimelineEntry } from '../../lib/core/timeline';
import { executionArnOf } from '../../lib/engine/arns';
import { VirtualClock } from '../../lib/engine/clock';
import type { LoadedJourney } from '../../lib/journey/load';
import { localRunStateMachineArn } from '../../lib/local/audience-runtime';
import { type LocalRuntime, startLocalRuntime } from '../../lib/local/runtime';
import { keys } from '../../lib/store/keys';
import type { Table } from '../../lib/store/port';
import { putProfile } from '../../lib/store/profiles';
import { audienceDoc, loadAudience, profile } from './fixtures';

const MEMBERS = Array.from({ length: 30 }, (_, i) => `c-${String(i).padStart(2, '0')}`);
const RUN_AT = '2026-12-03T16:00:00Z';
const T0 = Date.parse(RUN_AT);
const WRITES = new Set(['put', 'update', 'delete', 'write']);

class SimulatedKill extends Error {
  override readonly name = 'SimulatedKill';
}

/** A process's view of the store that dies once `killAt` writes have been made after `arm` (never without it). */
function dying(killAt: number | undefined) {
  const proc = { writes: 0, dead: false, armed: false };
  const view = (table: Table): Table =>
    new Proxy(table, {
      get(t, prop) {
        const value = Reflect.get(t, prop, t);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (proc.dead) throw new SimulatedKill('the process is gone');
          if (proc.armed && WRITES.has(String(prop)) && proc.writes++ === killAt) {
            proc.dead = true;
            throw new SimulatedKill(`killed at write ${killAt}`);
          }
          return (value as (...a: unknown[]) => unknown).apply(t, args);
        };
      },
    });
  return { proc, view };
}

/** Start the due runs and run the engine until nothing is due, or the process dies. */
async function drive(rt: LocalRuntime, clock: VirtualClock, dead: () => boolean): Promise<void> {
  for (;;) {
    try {
      await rt.runs.startDue();
      await rt.engine.runDue();
      await rt.engine.idle();
    } catch (err) {
      if (dead()) return;
      throw err;
    }
    if (dead()) return;
    const due = [await rt.engine.nextDueAt(), await rt.runs.nextAt()].filter((x): x is number => x !== undefined);
    if (!due.length) return;
    clock.advanceTo(Math.min(...due));
  }
}

async function runKilledAt(journey: LoadedJourney, killAt: number | undefined) {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-resume-'));
  const clock = new VirtualClock(T0 - 60_000);
  const first = dying(killAt);
  let beforeRestart = 0;
  const a = await startLocalRuntime({
    onTimeline: (e) => {
      if (e.kind === 'entered') beforeRestart++;
    },
    journeys: [journey],
    clock,
    dataDir,
    objectsDir: join(dataDir, 'objects'),
    tableView: first.view,
  });
  for (const id of MEMBERS) await putProfile(a.table, profile(id, {}), clock.now());
  first.proc.armed = true;
  await drive(a, clock, () => first.proc.dead);
  await a.engine.idle().catch(() => undefined);
  await a.close();
  // The restart: a new runtime on the same data dir, the clock going on.
  const b = await startLocalRuntime({ journeys: [journey], clock, dataDir, objectsDir: join(dataDir, 'objects') });
  await drive(b, clock, () => false);
  const timelines = await Promise.all(
    MEMBERS.map(async (id) =>
      (await b.table.queryAll(keys.customer(id), { prefix: keys.timelinePrefix })).map((i) => i.entry as TimelineEntry),
    ),
  );
  const outbox = await listOutbox(b.table, { limit: 500 });
  // A send the kill cut short inside the provider call is recorded unknown, and never resent.
  const unknown: string[] = [];
  for (const id of MEMBERS) {
    for (const ref of await b.table.queryAll(keys.customer(id), { prefix: keys.messageIndexPrefix })) {
      const ledger = await b.table.get(keys.message(ref.messageId as string), keys.single);
      if (ledger?.status === 'unknown') unknown.push(id);
    }
  }
  const run = await b.engine.describeExecution(
    executionArnOf(localRunStateMachineArn('newsletter', 1), runExecutionName('newsletter', 1, RUN_AT)),
  );
  await b.close();
  return { beforeRestart, writes: first.proc.writes, dead: first.proc.dead, timelines, outbox, unknown, run };
}

describe('an audience run killed mid-way and resumed on the same data dir', () => {
  const journey = loadAudience(audienceDoc({ segment: { file: 'members.txt' }, ratePerSecond: 2 }), {
    'members.txt': MEMBERS.join('\n'),
  });

  it('enters every member once and sends each one message (or records it unknown), wherever it died', async () => {
    const whole = await runKilledAt(journey, undefined);
    expect(whole.dead).toBe(false);
    // Kill points across the whole run: the list, the first batches, entries and sends, the end.
    const total = whole.writes;
    // Every write of the first few (the run's start and its list), then every 25th to the last.
    const points = [
      ...Array.from({ length: 12 }, (_, k) => k),
      ...Array.from({ length: total / 25 }, (_, i) => 12 + i * 25),
      total - 1,
    ];
    const midway: number[] = [];
    for (const k of points.filter((p) => p < total)) {
      const r = await runKilledAt(journey, k);
      const where = `killed at write ${k} of ${total}`;
      expect({ where, dead: r.dead }).toEqual({ where, dead: true });
      expect({ where, status: r.run.status }).toEqual({ where, status: 'SUCCEEDED' });
      const entered = r.timelines.map((lines) => lines.filter((l) => l.kind === 'entered').length);
      expect({ where, entered }).toEqual({ where, entered: MEMBERS.map(() => 1) });
      // At most one message each; none only where the kill left the send unknown (it may have gone out).
      const sent = MEMBERS.map((id) => r.outbox.filter((m) => m.customerId === id).length);
      const settled = MEMBERS.map((id, i) =>
        sent[i] === 1 || (sent[i] === 0 && r.unknown.includes(id)) ? 1 : sent[i],
      );
      expect({ where, settled }).toEqual({ where, settled: MEMBERS.map(() => 1) });
      expect({ where, unknown: r.unknown.length <= 1 }).toEqual({ where, unknown: true });
      if (r.beforeRestart > 0 && r.beforeRestart < MEMBERS.length) midway.push(k);
    }
    // Most deaths come with some members entered and some not.
    expect(midway.length).toBeGreaterThan(points.length / 2);
  }, 120_000);
});
