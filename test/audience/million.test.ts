/**
 * An audience of 1,000,000 through the AWS path (SPEC §6, ARCHITECTURE.md decision 7): the run's
 * compiled ASL on the local engine — List, then the Distributed Map over the member file in
 * batches of 100, 20 at a time — each batch entered by the audience function's `enter` op, which
 * enters every member through the journey entry logic and calls StartExecution on a Step
 * Functions port that behaves as the real quota does: a token bucket of 1,300 refilled at 300 a
 * second on the virtual clock, ThrottlingException when empty, and some calls failing, some of
 * them after the execution was started (the answer lost). The port counts what AWS would have
 * started; the journeys themselves are not run.
 *
 * Every member is entered once, nobody twice, and the run is done within 60 simulated minutes
 * (the quota's floor is 55.5: 1,300 at once, then 300 a second).
 */
import { createWriteStream, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExecutionName } from '../../lib/audience/run-identity';
import type { StepFunctionsPort } from '../../lib/core/ports';
import { checkTemplate } from '../../lib/core/templates';
import { executionArnOf } from '../../lib/engine/arns';
import { VirtualClock } from '../../lib/engine/clock';
import { loadJourneyFile } from '../../lib/journey/load';
import { localRunStateMachineArn } from '../../lib/local/audience-runtime';
import { startLocalRuntime } from '../../lib/local/runtime';
import { keys } from '../../lib/store/keys';

/**
 * A million takes minutes of CPU (every member's entry is the real one: conditional writes of its
 * instance, lock, timeline line and live mark), so `npm test` runs 30,000 and CI the million
 * (BATON_MILLION=1, .ci/run); AUDIENCE_MEMBERS sets any other size.
 */
const MEMBERS = Number(process.env.AUDIENCE_MEMBERS ?? (process.env.BATON_MILLION === '1' ? 1_000_000 : 30_000));
const T0 = Date.parse('2026-12-03T16:00:00Z');

/** AWS's StartExecution quota in the large Regions, as a token bucket on the virtual clock. */
const BUCKET = 1_300;
const REFILL_PER_SECOND = 300;

class ThrottlingException extends Error {
  override readonly name = 'ThrottlingException';
}
class ServiceUnavailable extends Error {
  override readonly name = 'ServiceUnavailable';
}

/**
 * StartExecution as AWS answers it, for executions that never close: a name seen before with the
 * same input is the same execution (no second start); with another input ExecutionAlreadyExists.
 * One call in 97 fails before starting anything, one in 211 fails after starting (the answer lost).
 */
function quotaPort(clock: VirtualClock) {
  const started = new Map<string, string>();
  const stats = { calls: 0, throttled: 0, failedBefore: 0, failedAfter: 0, repeated: 0, lastStart: 0 };
  let tokens = BUCKET;
  let refilledAt = clock.now();
  const port: StepFunctionsPort = {
    async startExecution(p) {
      stats.calls++;
      const now = clock.now();
      tokens = Math.min(BUCKET, tokens + ((now - refilledAt) / 1000) * REFILL_PER_SECOND);
      refilledAt = now;
      if (tokens < 1) {
        stats.throttled++;
        throw new ThrottlingException('Rate exceeded');
      }
      tokens -= 1;
      if (stats.calls % 97 === 0) {
        stats.failedBefore++;
        throw new ServiceUnavailable('Service unavailable');
      }
      const known = started.get(p.name);
      if (known !== undefined) {
        if (known !== p.input) throw Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' });
        stats.repeated++;
      } else {
        started.set(p.name, p.input);
        stats.lastStart = now;
      }
      if (stats.calls % 211 === 0) {
        stats.failedAfter++;
        throw new ServiceUnavailable('Service unavailable (the execution was started)');
      }
      return { executionArn: `${p.stateMachineArn}:${p.name}` };
    },
    async sendTaskSuccess() {},
    async stopExecution() {},
  };
  return { port, started, stats };
}

/** The least time StartExecution's quota lets `n` executions start in: the bucket at once, then the refill. */
function floorMinutes(n: number): number {
  return Math.max(0, n - BUCKET) / REFILL_PER_SECOND / 60;
}

async function audienceOfAMillion(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-million-'));
  mkdirSync(join(dir, 'templates'));
  mkdirSync(join(dir, 'audiences'));
  writeFileSync(join(dir, 'templates', 'hello.email.liquid'), 'Subject: Hi\nHi');
  const out = createWriteStream(join(dir, 'audiences', 'members.jsonl'));
  for (let i = 0; i < MEMBERS; i += 10_000) {
    let chunk = '';
    for (let j = i; j < Math.min(MEMBERS, i + 10_000); j++) chunk += `c-${j}\n`;
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  const file = join(dir, 'journey.json');
  writeFileSync(
    file,
    JSON.stringify({
      id: 'winter-sale',
      name: 'Winter sale',
      version: 1,
      audience: { segment: { file: 'audiences/members.jsonl' }, schedule: { start: new Date(T0).toISOString() } },
      start: 'hello',
      steps: {
        hello: { type: 'send', channel: 'email', template: 'hello', next: 'done' },
        done: { type: 'end' },
      },
    }),
  );
  return file;
}

describe('an audience of a million on the AWS path', () => {
  it('enters every member once, nobody twice, within 60 simulated minutes for a million', async () => {
    const file = await audienceOfAMillion();
    const loaded = loadJourneyFile(file, { checkTemplate });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const clock = new VirtualClock(T0);
    let entered = 0;
    const rt = await startLocalRuntime({
      journeys: [loaded.loaded],
      clock,
      concurrency: 4,
      onTimeline: (e) => {
        if (e.kind === 'entered') entered++;
      },
    });
    // Entries start executions through the quota; the run itself runs on the engine.
    const quota = quotaPort(clock);
    rt.deps.sfn = quota.port;
    const started = performance.now();
    expect(await rt.runs.startDue()).toBe(1);
    for (;;) {
      await rt.engine.runDue();
      await rt.engine.idle();
      const due = await rt.engine.nextDueAt();
      if (due === undefined) break;
      clock.advanceTo(due);
    }
    const seconds = (performance.now() - started) / 1000;
    const runAt = '2026-12-03T16:00:00Z';
    const run = await rt.table.get(keys.audience('winter-sale'), keys.audienceRun(runAt));
    const execution = await rt.engine.describeExecution(
      executionArnOf(localRunStateMachineArn('winter-sale', 1), runExecutionName('winter-sale', 1, runAt)),
    );
    const minutes = (Date.parse(execution.stoppedAt ?? '') - T0) / 60_000;
    console.log(
      `${MEMBERS} members: the run done ${minutes.toFixed(1)} simulated minutes after it started (the quota's floor ${floorMinutes(MEMBERS).toFixed(1)}), in ${seconds.toFixed(0)} s; ${JSON.stringify(quota.stats)}; heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`,
    );
    expect(execution.status).toBe('SUCCEEDED');
    expect(run?.members).toBe(MEMBERS);
    // Every member started once; a name started again only where the first answer was lost.
    expect(quota.started.size).toBe(MEMBERS);
    expect(quota.stats.repeated).toBe(quota.stats.failedAfter);
    expect(entered).toBe(MEMBERS);
    expect(quota.stats.throttled).toBeGreaterThan(0);
    expect(quota.stats.failedBefore).toBeGreaterThan(0);
    expect(quota.stats.failedAfter).toBeGreaterThan(0);
    // Within 60 minutes for a million; another size within the same margin over the quota's floor.
    const limit = MEMBERS === 1_000_000 ? 60 : (floorMinutes(MEMBERS) * 60) / floorMinutes(1_000_000);
    expect(minutes).toBeLessThanOrEqual(limit);
    await rt.close();
  }, 600_000);
});
