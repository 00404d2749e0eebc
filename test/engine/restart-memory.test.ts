/**
 * After a restart, the engine reads every execution once to rebuild its due times (`baton dev`
 * with parked instances). It must keep only the due times by ARN, not the records they were read
 * from: lmdb decodes an item's strings as slices of one string of the whole record, so an ARN kept
 * as read kept its execution's whole checkpoint (input, state input, variables) alive in memory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { VirtualClock } from '../../lib/engine/clock';
import { LocalEngine } from '../../lib/engine/engine';
import { openLocalStore } from '../../lib/store/local-store';
import { DAY, machine, SM, T0 } from './harness';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap in use after a full collection. */
function heapUsed(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

const def = machine({ W: { Type: 'Wait', Seconds: (3 * DAY) / 1000, End: true } });

describe('due times read at a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-restart-memory-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keep about an ARN per parked execution, not its checkpoint', async () => {
    const n = 2_000;
    // A checkpoint of a few KB, as a journey's trigger and context make it: many short strings.
    const context = Object.fromEntries(
      Array.from({ length: 100 }, (_, i) => [`field${i}`, `value ${i} of the context`]),
    );
    const input = JSON.stringify({ context });
    const first = await openLocalStore({ path: dir });
    const engine = new LocalEngine({ table: first.localTable, clock: new VirtualClock(T0), handlers: {} });
    await engine.register(SM, def);
    for (let i = 0; i < n; i++) await engine.startExecution({ stateMachineArn: SM, name: `parked-${i}`, input });
    await engine.idle();
    await first.close();

    const store = await openLocalStore({ path: dir });
    try {
      const before = heapUsed();
      const restarted = new LocalEngine({ table: store.localTable, clock: new VirtualClock(T0), handlers: {} });
      expect(await restarted.nextDueAt()).toBe(T0 + 3 * DAY);
      const perExecution = (heapUsed() - before) / n;
      // An ARN (about 100 bytes) and its entries in the schedule's map and heap; a checkpoint is 4 KB.
      expect(perExecution).toBeLessThan(1_000);
    } finally {
      await store.close();
    }
  });
});
