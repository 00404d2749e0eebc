/**
 * Event processing waits while the local engine is behind (issue 13, 100,000 parked instances).
 * Writes resolve at once (LMDB's group commit, the memory store), so entries started faster than
 * the engine advanced them, and every queued execution kept its checkpoint in memory until its
 * turn: 100,000 entries queued about 75,000 and left the process 441 MB after they parked. Now an
 * event waits for room before it starts anything, so the queue stays within its bound and the
 * backlog is events pending in the store.
 */
import type { Envelope } from '../../lib/core/envelope';
import { ingest } from '../../lib/core/ingest';
import { VirtualClock } from '../../lib/engine/clock';
import { startLocalRuntime } from '../../lib/local/runtime';
import { keys } from '../../lib/store/keys';
import { journeyInTempDir, loadValid, simpleJourney } from '../helpers';

const T0 = Date.parse('2026-11-20T10:00:00Z');

/** The benchmark's journey: every instance parks in a 3-day waitFor. */
const review = loadValid(
  journeyInTempDir(
    simpleJourney({
      id: 'review',
      trigger: { event: 'order.delivered', dedupeBy: ['trigger.data.orderId'] },
      start: 'await',
      steps: {
        await: {
          type: 'waitFor',
          event: 'review.posted',
          match: { orderId: 'trigger.data.orderId' },
          timeout: 'P3D',
          next: 'thanks',
          onTimeout: 'thanks',
        },
        thanks: { type: 'send', channel: 'email', template: 'hello', purpose: 'transactional', next: 'done' },
        done: { type: 'end' },
      },
    }),
    { 'hello.email.liquid': 'Subject: Thanks\nThanks!' },
  ).file,
);

const delivered = (i: number): Envelope => ({
  id: `d-${i}`,
  type: 'order.delivered',
  customerId: `c-${i}`,
  channel: 'store',
  time: new Date(T0).toISOString(),
  data: { orderId: `o-${i}` },
});

describe('event processing and the engine queue', () => {
  it('a burst of entries from 32 lanes never queues more than the bound (plus one per lane), and every one parks', async () => {
    const maxQueued = 20;
    const lanes = 32;
    const n = 600;
    const rt = await startLocalRuntime({ journeys: [review], clock: new VirtualClock(T0), concurrency: 4, maxQueued });
    try {
      let most = 0;
      let next = 0;
      const lane = async () => {
        while (next < n) {
          await ingest(rt.deps, delivered(next++));
          most = Math.max(most, rt.engine.queuedCount);
        }
      };
      await Promise.all(Array.from({ length: lanes }, lane));
      await rt.engine.idle();

      // Each lane checks for room before it starts an execution: at most one each past the bound.
      expect(most).toBeLessThanOrEqual(maxQueued + lanes);
      const waits = (await rt.table.scanPrefix(keys.customer(''))).filter((i) =>
        i.sk.startsWith(keys.waitPrefix('review.posted')),
      );
      expect(waits).toHaveLength(n);
      expect(rt.engine.counters.executions).toBe(n);
    } finally {
      await rt.close();
    }
  });
});
