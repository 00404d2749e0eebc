/**
 * The local engine against AWS's documented behaviour for what the compiler emits, on a real
 * (in-memory) dynalite table with a virtual clock.
 */

import { VirtualClock } from '../../lib/engine/clock';
import type { TaskHandler } from '../../lib/engine/engine';
import { engineHarness, FN, machine, park, SM, T0 } from './harness';

const harness = engineHarness();
type Handlers = Record<string, TaskHandler>;
/** Start an execution of `def` and run it until it parks or ends. */
const run = (def: string, handlers: Handlers | ((clock: VirtualClock) => Handlers) = {}, input: unknown = {}) =>
  harness.run(def, { handlers, input });

describe('LocalEngine', () => {
  it('runs Pass, Choice and Succeed with JSONata Output, Assign and $states.input', async () => {
    const def = machine({
      init: { Type: 'Pass', Assign: { x: '{% $states.input.n * 2 %}' }, Next: 'pick' },
      pick: {
        Type: 'Choice',
        Choices: [{ Condition: '{% $x > 5 %}', Next: 'big', Assign: { label: 'big' } }],
        Default: 'small',
      },
      big: { Type: 'Succeed', Output: { label: '{% $label %}', x: '{% $x %}' } },
      small: { Type: 'Succeed', Output: { label: 'small' } },
    });
    const r = await run(def, {}, { n: 4 });
    const ex = await r.describe();
    expect(ex.status).toBe('SUCCEEDED');
    expect(JSON.parse(ex.output!)).toEqual({ label: 'big', x: 8 });
  });

  it('evaluates every Assign expression against the variables as they were before the state', async () => {
    const def = machine({
      a: { Type: 'Pass', Assign: { x: 1, y: 2 }, Next: 'b' },
      b: { Type: 'Pass', Assign: { x: '{% $y %}', y: '{% $x %}' }, Next: 'c' },
      c: { Type: 'Succeed', Output: { x: '{% $x %}', y: '{% $y %}' } },
    });
    const ex = await (await run(def)).describe();
    expect(JSON.parse(ex.output!)).toEqual({ x: 2, y: 1 });
  });

  it('passes $states.context with the execution name and state entered time to tasks', async () => {
    const seen: unknown[] = [];
    const def = machine({
      t: {
        Type: 'Task',
        Resource: FN,
        Arguments: { name: '{% $states.context.Execution.Name %}', entered: '{% $states.context.State.EnteredTime %}' },
        End: true,
      },
    });
    const r = await run(def, { [FN]: async (p) => seen.push(p) });
    expect(seen).toEqual([{ name: r.name, entered: new Date(T0).toISOString() }]);
  });

  it('waits in virtual time and resumes at the due instant', async () => {
    const def = machine({
      w: { Type: 'Wait', Seconds: 3600, Next: 'done' },
      done: { Type: 'Succeed' },
    });
    const r = await run(def);
    expect((await r.describe()).status).toBe('RUNNING');
    expect(await r.engine.nextDueAt()).toBe(T0 + 3_600_000);
    await r.drain();
    const ex = await r.describe();
    expect(ex.status).toBe('SUCCEEDED');
    expect(ex.stoppedAt).toBe(new Date(T0 + 3_600_000).toISOString());
  });

  it('honours waits longer than setTimeout can hold (a 300-day wait fires after 300 days, not at once)', async () => {
    const def = machine({ w: { Type: 'Wait', Seconds: 300 * 86400, Next: 'done' }, done: { Type: 'Succeed' } });
    const r = await run(def);
    await r.drain(T0 + 299 * 86_400_000);
    expect((await r.describe()).status).toBe('RUNNING');
    await r.drain();
    expect((await r.describe()).stoppedAt).toBe(new Date(T0 + 300 * 86_400_000).toISOString());
  });

  it('retries a failing task with backoff, then catches it with the error name and cause', async () => {
    let calls = 0;
    const attempts: number[] = [];
    const def = machine({
      t: {
        Type: 'Task',
        Resource: FN,
        Retry: [{ ErrorEquals: ['Boom'], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 3 }],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'caught', Assign: { err: '{% $states.errorOutput.Error %}' } }],
        End: true,
      },
      caught: {
        Type: 'Succeed',
        Output: { err: '{% $err %}', cause: '{% $parse($states.input.Cause).errorMessage %}' },
      },
    });
    const r = await run(def, (clock) => ({
      [FN]: async () => {
        calls++;
        attempts.push(clock.now() - T0);
        const e = new Error('it broke');
        e.name = 'Boom';
        throw e;
      },
    }));
    await r.drain();
    const ex = await r.describe();
    expect(calls).toBe(3); // the first try and two retries
    expect(attempts).toEqual([0, 2000, 8000]); // then 2 s later, then 2*3 s after that
    expect(JSON.parse(ex.output!)).toEqual({ err: 'Boom', cause: 'it broke' });
  });

  it('does not retry or catch States.Runtime with States.ALL: the execution fails', async () => {
    const def = machine({
      t: {
        Type: 'Task',
        Resource: 'arn:aws:lambda:local:000000000000:function:missing',
        Retry: [{ ErrorEquals: ['States.ALL'] }],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'caught' }],
        End: true,
      },
      caught: { Type: 'Succeed' },
    });
    const ex = await (await run(def)).describe();
    expect(ex.status).toBe('FAILED');
    expect(ex.error).toBe('States.Runtime');
  });

  it('completes a .waitForTaskToken task with SendTaskSuccess and rejects the used token after', async () => {
    let token = '';
    const def = machine({
      park: { ...park(60), Assign: { got: '{% $states.result %}' }, Next: 'done' },
      done: { Type: 'Succeed', Output: '{% $got %}' },
    });
    const r = await run(def, {
      [FN]: async (p) => {
        token = (p as { token: string }).token;
      },
    });
    expect(token).not.toBe('');
    expect((await r.describe()).status).toBe('RUNNING');
    await r.engine.sendTaskSuccess({ taskToken: token, output: JSON.stringify({ ok: 1 }) });
    await r.engine.idle();
    const ex = await r.describe();
    expect(ex.status).toBe('SUCCEEDED');
    expect(JSON.parse(ex.output!)).toEqual({ ok: 1 });
    await expect(r.engine.sendTaskSuccess({ taskToken: token, output: '{}' })).rejects.toMatchObject({
      name: 'TaskDoesNotExist',
    });
    await expect(r.engine.sendTaskSuccess({ taskToken: 'not a token!', output: '{}' })).rejects.toMatchObject({
      name: 'InvalidToken',
    });
  });

  it('fails a task token with States.Timeout after TimeoutSeconds, caught like on AWS', async () => {
    let token = '';
    const def = machine({
      park: { ...park(86400), Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'late' }], Next: 'done' },
      late: { Type: 'Succeed', Output: 'late' },
      done: { Type: 'Succeed', Output: 'on time' },
    });
    const r = await run(def, {
      [FN]: async (p) => {
        token = (p as { token: string }).token;
      },
    });
    await r.drain();
    const ex = await r.describe();
    expect(ex.stoppedAt).toBe(new Date(T0 + 86_400_000).toISOString());
    expect(JSON.parse(ex.output!)).toBe('late');
    await expect(r.engine.sendTaskSuccess({ taskToken: token, output: '{}' })).rejects.toMatchObject({
      name: 'TaskDoesNotExist',
    });
  });

  it('makes StartExecution idempotent by name: running and same input returns it, otherwise ExecutionAlreadyExists', async () => {
    const def = machine({ w: { Type: 'Wait', Seconds: 10, Next: 'done' }, done: { Type: 'Succeed' } });
    const r = await run(def, {}, { a: 1 });
    await expect(
      r.engine.startExecution({ stateMachineArn: SM, name: r.name, input: JSON.stringify({ a: 1 }) }),
    ).resolves.toEqual({
      executionArn: r.executionArn,
    });
    await expect(
      r.engine.startExecution({ stateMachineArn: SM, name: r.name, input: JSON.stringify({ a: 2 }) }),
    ).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
    });
    await r.drain();
    await expect(
      r.engine.startExecution({ stateMachineArn: SM, name: r.name, input: JSON.stringify({ a: 1 }) }),
    ).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
    });
  });

  it('stops a waiting execution with StopExecution; its timer never fires', async () => {
    const calls: unknown[] = [];
    const def = machine({
      w: { Type: 'Wait', Seconds: 10, Next: 't' },
      t: { Type: 'Task', Resource: FN, End: true },
    });
    const r = await run(def, { [FN]: async (p) => calls.push(p) });
    await r.engine.stopExecution({ executionArn: r.executionArn, error: 'Baton.Goal', cause: 'goal' });
    await r.drain();
    const ex = await r.describe();
    expect(ex.status).toBe('ABORTED');
    expect(calls).toEqual([]);
    await expect(r.engine.stopExecution({ executionArn: `${r.executionArn}-nope` })).rejects.toMatchObject({
      name: 'ExecutionDoesNotExist',
    });
  });

  it('fails with States.DataLimitExceeded when a state output passes 256 KiB', async () => {
    const def = machine({
      big: { Type: 'Pass', Output: '{% $pad("", 300000, "x") %}', Next: 'done' },
      done: { Type: 'Succeed' },
    });
    const ex = await (await run(def)).describe();
    expect(ex.status).toBe('FAILED');
    expect(ex.error).toBe('States.DataLimitExceeded');
  });

  it('survives a restart: a new engine on the same table resumes the waiting execution at its time', async () => {
    const calls: string[] = [];
    const def = machine({
      w: { Type: 'Wait', Seconds: 60, Next: 't' },
      t: { Type: 'Task', Resource: FN, Arguments: { at: '{% $states.context.State.EnteredTime %}' }, End: true },
    });
    const first = await run(def, { [FN]: async () => calls.push('old engine') });
    // The first engine "dies" here; a second one with the same store and a later clock takes over.
    const clock = new VirtualClock(T0 + 120_000);
    const second = await harness.engineFor(def, { [FN]: async (p) => calls.push((p as { at: string }).at) }, clock);
    await second.runDue();
    await second.idle();
    expect(calls).toEqual([new Date(T0 + 120_000).toISOString()]); // overdue: fired at once, by the new engine
    expect((await second.describeExecution(first.executionArn)).status).toBe('SUCCEEDED');
  });

  it('fails an execution whose history passes the limit, as AWS does at 25,000 events', async () => {
    const def = machine({
      loop: { Type: 'Pass', Assign: { n: '{% ($exists($n) ? $n : 0) + 1 %}' }, Next: 'check' },
      check: { Type: 'Choice', Choices: [{ Condition: '{% $n < 1000 %}', Next: 'loop' }], Default: 'done' },
      done: { Type: 'Succeed' },
    });
    const engine = await harness.engineFor(def, {}, new VirtualClock(T0), 100);
    const { executionArn } = await engine.startExecution({ stateMachineArn: SM, name: 'history', input: '{}' });
    await engine.idle();
    const ex = await engine.describeExecution(executionArn);
    expect(ex).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    // 2 events to start, 2 per transition (exited, entered): 48 transitions, 99 events, then the failure (history.test.ts).
    expect(ex.transitions).toBe(48);
  });
});
