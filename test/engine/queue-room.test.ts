/**
 * The engine's queue bound (room()): event processing waits on it so that executions started
 * faster than they advance wait in the store, not as checkpoints in memory. It must let waiters go
 * as the queue drains, whether the executions succeed or fail.
 */
import { VirtualClock } from '../../lib/engine/clock';
import { engineHarness, FN, machine, SM, T0 } from './harness';

const harness = engineHarness();

/** Start `n` executions of a one-task machine without advancing any (the task is held by the test). */
async function startHeld(n: number, maxQueued: number, task: () => Promise<unknown>) {
  const def = machine({ T: { Type: 'Task', Resource: FN, End: true } });
  const engine = await harness.engineFor(def, { [FN]: task }, new VirtualClock(T0), undefined, {
    concurrency: 1,
    maxQueued,
  });
  for (let i = 0; i < n; i++)
    await engine.startExecution({ stateMachineArn: SM, name: `q-${maxQueued}-${i}`, input: '{}' });
  return engine;
}

describe('room()', () => {
  it('resolves at once below the bound, waits at it, and resolves once the queue drains below it', async () => {
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    // One execution runs (concurrency 1) and holds its task; two wait in the queue.
    const engine = await startHeld(3, 3, async () => {
      await held;
      return {};
    });
    expect(engine.queuedCount).toBe(2);
    let roomy = false;
    await engine.room().then(() => {
      roomy = true;
    });
    expect(roomy).toBe(true);

    await engine.startExecution({ stateMachineArn: SM, name: 'q-3-extra', input: '{}' });
    expect(engine.queuedCount).toBe(3);
    roomy = false;
    const waiting = engine.room().then(() => {
      roomy = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(roomy).toBe(false);

    release();
    await waiting;
    expect(roomy).toBe(true);
    expect(engine.queuedCount).toBeLessThan(3);
    await engine.idle();
  });

  it('lets waiters go when the queued executions fail', async () => {
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const engine = await startHeld(4, 2, async () => {
      await held;
      throw new Error('the task failed');
    });
    expect(engine.queuedCount).toBe(3);
    const waiting = engine.room();
    release();
    await waiting;
    await engine.idle();
    expect(engine.queuedCount).toBe(0);
  });
});
