/**
 * An audience at scale: JSONL members in batches of 100 through a Distributed Map whose child
 * Task calls an in-process handler, on the memory store `baton simulate` runs on. Every member
 * reaches the handler once, and at most MaxConcurrency children are running at a time: the member
 * file is read batch by batch, never whole. `npm test` runs 200,000 members; CI (BATON_MILLION=1)
 * a million. How fast is the bench's business (`npm run bench`, the audience part), not a test's.
 */
import { createWriteStream, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../lib/engine/clock';
import { LocalEngine } from '../../lib/engine/engine';
import { openLocalStore } from '../../lib/store/local-store';
import { FN, machine, SM, T0 } from './harness';

const MEMBERS = process.env.BATON_MILLION === '1' ? 1_000_000 : 200_000;

async function memberFile(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-map-scale-'));
  mkdirSync(join(dir, 'audience'));
  const out = createWriteStream(join(dir, 'audience', 'members.jsonl'));
  const at = new Date(T0).toISOString();
  for (let i = 0; i < MEMBERS; i += 10_000) {
    let chunk = '';
    for (let j = i; j < i + 10_000; j++) chunk += `{"customerId":"c-${j}","enterAt":"${at}"}\n`;
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  return dir;
}

describe('a Distributed Map at audience scale', () => {
  it('enters 1,000,000 members in batches of 100 in well under a minute, with bounded memory', async () => {
    const objectsDir = await memberFile();
    const store = await openLocalStore();
    const clock = new VirtualClock(T0);
    let entered = 0;
    let batches = 0;
    let peakHeap = 0;
    let peakRunning = 0;
    const parentArn = `${SM.replace(':stateMachine:', ':execution:')}:winter-sale`;
    const handlers = {
      [FN]: async (p: unknown) => {
        const items = (p as { Items: { customerId: string }[] }).Items;
        entered += items.length;
        if (++batches % 500 === 0) {
          peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
          // The Map's checkpoint: the children it started and has not seen close.
          const running = (await engine.describeExecution(parentArn)).map?.running.length ?? 0;
          peakRunning = Math.max(peakRunning, running);
        }
        return { entered: items.length };
      },
    };
    const engine: LocalEngine = new LocalEngine({
      table: store.localTable,
      clock,
      handlers,
      concurrency: 1,
      objectsDir,
    });
    await engine.register(
      SM,
      machine({
        enter: {
          Type: 'Map',
          ItemReader: {
            Resource: 'arn:aws:states:::s3:getObject',
            ReaderConfig: { InputType: 'JSONL' },
            Arguments: { Bucket: 'audience', Key: 'members.jsonl' },
          },
          ItemBatcher: { MaxItemsPerBatch: 100, BatchInput: { journey: 'winter-sale' } },
          MaxConcurrency: 20,
          ToleratedFailurePercentage: 0,
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'enter',
            States: {
              enter: {
                Type: 'Task',
                Resource: FN,
                Arguments: '{% $states.input %}',
                Output: '{% $states.result.entered %}',
                End: true,
              },
            },
          },
          Output: { batches: '{% $count($states.result) %}', entered: '{% $sum($states.result) %}' },
          End: true,
        },
      }),
    );
    const heapBefore = process.memoryUsage().heapUsed;
    const started = Date.now();
    const { executionArn } = await engine.startExecution({ stateMachineArn: SM, name: 'winter-sale', input: '{}' });
    await engine.idle();
    const seconds = (Date.now() - started) / 1000;
    const ex = await engine.describeExecution(executionArn);
    console.log(
      `${MEMBERS} members, ${MEMBERS / 100} batches: ${seconds.toFixed(1)} s; heap ${Math.round(heapBefore / 2 ** 20)} MB before, peak ${Math.round(peakHeap / 2 ** 20)} MB`,
    );
    expect([ex.status, JSON.parse(ex.output!)]).toEqual(['SUCCEEDED', { batches: MEMBERS / 100, entered: MEMBERS }]);
    expect(entered).toBe(MEMBERS);
    expect(peakRunning).toBeGreaterThan(0);
    expect(peakRunning).toBeLessThanOrEqual(20);
  }, 120_000);
});
