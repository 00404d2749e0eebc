/**
 * The local run starter (the stand-in for EventBridge Scheduler): each run starts once, when the
 * clock reaches its earliest instant, by its name; its cursor survives a restart and a new
 * version; a journey seen for the first time starts with its first run wholly ahead.
 */
import { runExecutionName } from '../../lib/audience/run-identity';
import { RunStarter, readCursor } from '../../lib/audience/run-starter';
import type { StepFunctionsPort } from '../../lib/core/ports';
import { silentLogger } from '../../lib/core/ports';
import { VirtualClock } from '../../lib/engine/clock';
import type { Journey } from '../../lib/journey/schema';
import { localRunStateMachineArn } from '../../lib/local/audience-runtime';
import { MemoryTable } from '../../lib/store/memory-table';
import { audienceDoc, loadAudience } from './fixtures';

/** A Step Functions port that records starts and, like AWS, refuses a closed name twice. */
function recordingSfn() {
  const started: { stateMachineArn: string; name: string; input: string }[] = [];
  const sfn: StepFunctionsPort = {
    async startExecution(p) {
      if (started.some((s) => s.name === p.name))
        throw Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' });
      started.push(p);
      return { executionArn: `arn:x:${p.name}` };
    },
    async sendTaskSuccess() {},
    async stopExecution() {},
  };
  return { started, sfn };
}

function starter(table: MemoryTable, clock: VirtualClock, sfn: StepFunctionsPort, journey: () => Journey) {
  return new RunStarter({
    table,
    clock,
    sfn,
    log: silentLogger,
    journeys: () => [{ journey: journey(), stateMachineArn: 'arn:sm', templatesDir: '' }],
    runStateMachineArn: localRunStateMachineArn,
  });
}

const weekly = (version = 1) =>
  loadAudience({
    ...audienceDoc({ schedule: { start: '2026-12-01T16:00:00Z', repeat: 'P7D', end: '2026-12-20T00:00:00Z' } }),
    version,
  }).journey;

describe('RunStarter', () => {
  it('starts each run once when the clock reaches it, by its name, with its runAt', async () => {
    const clock = new VirtualClock(Date.parse('2026-11-30T00:00:00Z'));
    const table = new MemoryTable(() => clock.now());
    const { started, sfn } = recordingSfn();
    const s = starter(table, clock, sfn, () => weekly());
    expect(await s.nextAt()).toBe(Date.parse('2026-12-01T16:00:00Z'));
    expect(await s.startDue()).toBe(0);
    clock.advanceTo(Date.parse('2026-12-08T16:00:00Z'));
    expect(await s.startDue()).toBe(2);
    expect(await s.startDue()).toBe(0);
    expect(started).toEqual([
      {
        stateMachineArn: localRunStateMachineArn('newsletter', 1),
        name: 'newsletter-v1-2026-12-01T16-00-00Z',
        input: '{"runAt":"2026-12-01T16:00:00Z"}',
      },
      expect.objectContaining({ name: runExecutionName('newsletter', 1, '2026-12-08T16:00:00Z') }),
    ]);
    expect(await s.nextAt()).toBe(Date.parse('2026-12-15T16:00:00Z'));
    clock.advanceTo(Date.parse('2027-01-01T00:00:00Z'));
    expect(await s.startDue()).toBe(1);
    expect(await s.nextAt()).toBeUndefined();
  });

  it('goes on after a restart from the run last started, and a new version from where the old one was', async () => {
    const clock = new VirtualClock(Date.parse('2026-11-30T00:00:00Z'));
    const table = new MemoryTable(() => clock.now());
    const { started, sfn } = recordingSfn();
    await starter(table, clock, sfn, () => weekly()).nextAt();
    clock.advanceTo(Date.parse('2026-12-02T00:00:00Z'));
    expect(await starter(table, clock, sfn, () => weekly()).startDue()).toBe(1);
    // A new process, and version 2 of the journey: the 12-01 run is not started again.
    clock.advanceTo(Date.parse('2026-12-09T00:00:00Z'));
    expect(await starter(table, clock, sfn, () => weekly(2)).startDue()).toBe(1);
    expect(started.map((s) => s.name)).toEqual([
      'newsletter-v1-2026-12-01T16-00-00Z',
      'newsletter-v2-2026-12-08T16-00-00Z',
    ]);
    expect(await readCursor(table, 'newsletter')).toEqual({
      seenAt: Date.parse('2026-11-30T00:00:00Z'),
      lastRunAt: '2026-12-08T16:00:00Z',
      lastEarliest: Date.parse('2026-12-08T16:00:00Z'),
    });
  });

  it('takes a run that started before a crash kept the cursor from moving as started', async () => {
    const clock = new VirtualClock(Date.parse('2026-12-01T16:00:00Z'));
    const table = new MemoryTable(() => clock.now());
    const { started, sfn } = recordingSfn();
    await sfn.startExecution({
      stateMachineArn: localRunStateMachineArn('newsletter', 1),
      name: 'newsletter-v1-2026-12-01T16-00-00Z',
      input: '{"runAt":"2026-12-01T16:00:00Z"}',
    });
    expect(await starter(table, clock, sfn, () => weekly()).startDue()).toBe(1);
    expect(started).toHaveLength(1);
    expect((await readCursor(table, 'newsletter'))?.lastRunAt).toBe('2026-12-01T16:00:00Z');
  });

  it('skips, for a journey first seen, the runs that began before it was seen', async () => {
    const clock = new VirtualClock(Date.parse('2026-12-05T00:00:00Z'));
    const table = new MemoryTable(() => clock.now());
    const { started, sfn } = recordingSfn();
    const s = starter(table, clock, sfn, () => weekly());
    expect(await s.nextAt()).toBe(Date.parse('2026-12-08T16:00:00Z'));
    clock.advanceTo(Date.parse('2026-12-08T16:00:00Z'));
    await s.startDue();
    expect(started.map((x) => x.name)).toEqual(['newsletter-v1-2026-12-08T16-00-00Z']);
  });
});
