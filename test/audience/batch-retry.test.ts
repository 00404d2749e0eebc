/**
 * A batch retried after one member's entry failed (the Map's Retry) goes over the members after
 * it again: those the journey ignores are recorded and counted once, as a run without the failure
 * records them (SPEC §6: each member's entry, and what the run counts of it, once).
 */
import { enterBatch, type RunBatch } from '../../lib/audience/enter';
import type { StepFunctionsPort } from '../../lib/core/ports';
import { journeyPartition, readCounts } from '../../lib/results/counters';
import { audienceDoc, audienceRuntime, loadAudience, profile } from './fixtures';

const DAY1 = '2026-12-03T16:00:00Z';
const DAY2 = '2026-12-04T16:00:00Z';
const batch = (runAt: string, ids: string[]): RunBatch => ({
  Items: ids.map((customerId) => ({ customerId, enterAt: runAt })),
  BatchInput: { journey: 'newsletter', version: 1, runAt },
});

it('counts the members it ignores once when a batch is retried after one member failed', async () => {
  const journey = loadAudience(
    audienceDoc({ schedule: { start: DAY1, repeat: 'P1D', end: '2026-12-10T00:00:00Z' } }, { entry: { limit: 1 } }),
  );
  let failOnce = true;
  const failingFirst = (engine: StepFunctionsPort): StepFunctionsPort => ({
    ...engine,
    sendTaskSuccess: engine.sendTaskSuccess.bind(engine),
    stopExecution: engine.stopExecution.bind(engine),
    startExecution: async (args) => {
      if (failOnce && JSON.parse(args.input).customerId === 'c-0') {
        failOnce = false;
        throw Object.assign(new Error('unavailable'), { name: 'ServiceUnavailable' });
      }
      return engine.startExecution(args);
    },
  });
  const { rt, ports, clock } = await audienceRuntime([journey], {
    profiles: ['c-0', 'c-1', 'c-3'].map((id) => profile(id, { plan: 'pro' })),
    at: DAY1,
    sfn: failingFirst,
  });
  try {
    // c-1 and c-3 enter on the first day; the entry limit of 1 ignores them on the second.
    await enterBatch(ports, { op: 'enter', batch: batch(DAY1, ['c-1', 'c-3']) });
    await rt.engine.idle();
    clock.advanceTo(Date.parse(DAY2));
    const failed = await enterBatch(ports, { op: 'enter', batch: batch(DAY2, ['c-0', 'c-1', 'c-3']) }).catch(
      (e: Error) => e.name,
    );
    expect(failed).toBe('ServiceUnavailable');
    clock.advanceTo(Date.parse(DAY2) + 2000); // the Map's Retry, after its backoff
    const retried = await enterBatch(ports, { op: 'enter', batch: batch(DAY2, ['c-0', 'c-1', 'c-3']) });
    expect(retried).toEqual({ entered: 1, ignored: { limit: 2 } });
    const counts = await readCounts(rt.table, journeyPartition('newsletter', 1), {});
    expect(counts['ignored.limit']).toBe(2);
  } finally {
    await rt.close();
  }
});
