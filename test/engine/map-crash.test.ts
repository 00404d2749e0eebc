/**
 * A Map (distributed or inline) survives a crash at any moment, on the LMDB store `baton dev` runs on: a new
 * engine on the reopened store resumes it without running a batch twice or losing one. A crash is
 * simulated by a store that refuses every request from its k-th write on (what a kill -9 leaves:
 * the writes before it, none after), for every k a run makes; the handlers' calls are the side
 * effects. A Task's handler may be called again for the same state visit (the engine's contract:
 * handlers are idempotent per visit), but each batch goes to exactly one child execution and one
 * visit of its Task.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../lib/engine/clock';
import { LocalEngine, type TaskHandler } from '../../lib/engine/engine';
import { openLocalStore } from '../../lib/store/local-store';
import type { Table } from '../../lib/store/port';
import { FN, machine, SM, T0 } from './harness';

const ITEMS = 7;
const objectsDir = mkdtempSync(join(tmpdir(), 'baton-map-crash-objects-'));
mkdirSync(join(objectsDir, 'b'));
writeFileSync(
  join(objectsDir, 'b', 'members.jsonl'),
  Array.from({ length: ITEMS }, (_, i) => `{"id":${i}}`).join('\n'),
);

const child = (wait: number, ids: string) => ({
  StartAt: 'pace',
  States: {
    pace: { Type: 'Wait', Seconds: wait, Next: 'enter' },
    enter: {
      Type: 'Task',
      Resource: FN,
      Arguments: {
        ids,
        child: '{% $states.context.Execution.Name %}',
        visit: '{% $states.context.State.EnteredTime %}',
      },
      Output: '{% $count($states.input.Items) %}',
      End: true,
    },
  },
});

/**
 * DISTRIBUTED: batches of 2 read from JSONL, at most 2 children at once; INLINE: the same items as
 * one-item batches. Each child waits `wait` s, then calls FN with its batch.
 */
const definition = (wait: number, mode: 'DISTRIBUTED' | 'INLINE' = 'DISTRIBUTED') =>
  machine({
    map: {
      Type: 'Map',
      ...(mode === 'DISTRIBUTED'
        ? {
            ItemReader: {
              Resource: 'arn:aws:states:::s3:getObject',
              ReaderConfig: { InputType: 'JSONL' },
              Arguments: { Bucket: 'b', Key: 'members.jsonl' },
            },
            ItemBatcher: { MaxItemsPerBatch: 2 },
          }
        : {
            Items: Array.from({ length: ITEMS }, (_, i) => ({ id: i })),
            ItemSelector: { Items: ['{% $states.context.Map.Item.Value %}'] },
          }),
      MaxConcurrency: 2,
      ItemProcessor: {
        ProcessorConfig:
          mode === 'DISTRIBUTED' ? { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } : { Mode: 'INLINE' },
        ...child(wait, '{% $states.input.Items.id[] %}'),
      },
      Output: { entered: '{% $sum($states.result) %}' },
      End: true,
    },
  });

const BATCHES = {
  DISTRIBUTED: ['[0,1]', '[2,3]', '[4,5]', '[6]'],
  INLINE: ['[0]', '[1]', '[2]', '[3]', '[4]', '[5]', '[6]'],
};

class Crash extends Error {
  override readonly name = 'Crash';
}

const WRITES = new Set(['put', 'update', 'delete', 'write']);

/** The table as a process killed before its k-th write sees it: every request from then on fails. */
function dyingAt(table: Table, k: number): { table: Table; died: () => boolean } {
  let writes = 0;
  let dead = false;
  const proxy = new Proxy(table, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (!dead && WRITES.has(String(prop)) && ++writes >= k) dead = true;
        if (dead) throw new Crash(`killed before write ${k}`);
        return value.apply(target, args);
      };
    },
  });
  return { table: proxy, died: () => dead };
}

type Call = { ids: number[]; child: string; visit: string };

/** Run the Map on a fresh LMDB store, killed before write `k` (never when k is 0), then resumed by a new engine. */
async function crashAndResume(k: number, wait: number, mode: 'DISTRIBUTED' | 'INLINE' = 'DISTRIBUTED') {
  const dir = mkdtempSync(join(tmpdir(), 'baton-map-crash-'));
  const calls: Call[] = [];
  const handlers: Record<string, TaskHandler> = { [FN]: async (p) => calls.push(p as Call) };
  const def = definition(wait, mode);
  const start = async (engine: LocalEngine) => {
    try {
      await engine.startExecution({ stateMachineArn: SM, name: 'run', input: '{}' });
    } catch (err) {
      // Started by the first process (and already finished): StartExecution by name is idempotent.
      if ((err as Error).name !== 'ExecutionAlreadyExists') throw err;
    }
  };
  const drain = async (engine: LocalEngine, clock: VirtualClock) => {
    for (let due = await engine.nextDueAt(); due !== undefined; due = await engine.nextDueAt()) {
      clock.advanceTo(due);
      await engine.runDue();
      await engine.idle();
    }
  };

  let store = await openLocalStore({ path: dir });
  const clock = new VirtualClock(T0);
  const dying = dyingAt(store.localTable, k || Number.POSITIVE_INFINITY);
  const first = new LocalEngine({ table: dying.table, clock, handlers, concurrency: 1, objectsDir });
  const firstRun = async () => {
    await first.register(SM, def);
    await start(first);
    await first.idle();
    await drain(first, clock);
  };
  await firstRun().catch((err) => {
    if (!(err instanceof Crash)) throw err;
  });
  await first.idle().catch(() => {});
  const died = dying.died();
  await store.close();

  store = await openLocalStore({ path: dir });
  const second = new LocalEngine({ table: store.localTable, clock, handlers, concurrency: 1, objectsDir });
  await second.register(SM, def);
  await start(second);
  await second.runDue();
  await second.idle();
  await drain(second, clock);
  const parent = await second.describeExecution(`${SM.replace(':stateMachine:', ':execution:')}:run`);
  await store.close();
  return { died, parent, calls };
}

/** Each batch went to one child and one visit of its Task, and every item was entered. */
function expectEachBatchOnce(calls: Call[], batches = BATCHES.DISTRIBUTED) {
  const byBatch = new Map<string, Set<string>>();
  for (const c of calls) {
    const key = JSON.stringify(c.ids);
    byBatch.set(key, (byBatch.get(key) ?? new Set()).add(`${c.child}@${c.visit}`));
  }
  expect([...byBatch.keys()].sort()).toEqual(batches);
  for (const [batch, visits] of byBatch) expect([batch, visits.size]).toEqual([batch, 1]);
}

describe('a Map across crashes (LMDB)', () => {
  it('resumes on a reopened store, where a restart left it, in virtual time', async () => {
    // The first engine stops after 90 s: two batches entered, two waiting; the second takes over.
    const dir = mkdtempSync(join(tmpdir(), 'baton-map-restart-'));
    const calls: Call[] = [];
    const handlers: Record<string, TaskHandler> = { [FN]: async (p) => calls.push(p as Call) };
    let store = await openLocalStore({ path: dir });
    const clock = new VirtualClock(T0);
    const first = new LocalEngine({ table: store.localTable, clock, handlers, concurrency: 1, objectsDir });
    await first.register(SM, definition(60));
    const { executionArn } = await first.startExecution({ stateMachineArn: SM, name: 'run', input: '{}' });
    await first.idle();
    clock.advanceTo(T0 + 90_000);
    await first.runDue();
    await first.idle();
    expect(calls.map((c) => c.ids)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    await store.close();

    store = await openLocalStore({ path: dir });
    const later = new VirtualClock(T0 + 600_000);
    const second = new LocalEngine({ table: store.localTable, clock: later, handlers, concurrency: 1, objectsDir });
    await second.runDue();
    await second.idle();
    for (let due = await second.nextDueAt(); due !== undefined; due = await second.nextDueAt()) {
      later.advanceTo(due);
      await second.runDue();
      await second.idle();
    }
    const parent = await second.describeExecution(executionArn);
    await store.close();
    expect([parent.status, JSON.parse(parent.output!)]).toEqual(['SUCCEEDED', { entered: ITEMS }]);
    expectEachBatchOnce(calls);
  });

  it.each(['DISTRIBUTED', 'INLINE'] as const)(
    '%s: never runs a batch twice nor loses one, whichever write a kill -9 comes before',
    async (mode) => {
      const clean = await crashAndResume(0, 0, mode);
      expect(clean.died).toBe(false);
      expect([clean.parent.status, JSON.parse(clean.parent.output!)]).toEqual(['SUCCEEDED', { entered: ITEMS }]);
      expectEachBatchOnce(clean.calls, BATCHES[mode]);
      let kills = 0;
      for (let k = 1; ; k++) {
        const r = await crashAndResume(k, 0, mode);
        if (!r.died) break; // the run made fewer than k writes: every moment was tried
        kills++;
        expect([k, r.parent.status, JSON.parse(r.parent.output!)]).toEqual([k, 'SUCCEEDED', { entered: ITEMS }]);
        expectEachBatchOnce(r.calls, BATCHES[mode]);
      }
      expect(kills).toBeGreaterThan(20);
    },
    60_000,
  );
});
