/**
 * The execution history is counted as AWS writes it, so the 25,000-event limit cuts an execution
 * where AWS does. Event types: the HistoryEventType list of the API
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html); the quota
 * ("25,000 events in a single state machine execution history. If the execution history reaches
 * this quota, the execution will fail"):
 * https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
 */
import { History, HistoryLimitReached, MAX_HISTORY_EVENTS } from '../../lib/engine/history';
import { engineHarness, FN, machine, park } from './harness';

const { run } = engineHarness();

describe('execution history', () => {
  it('cuts a looping Choice where AWS does: ChoiceStateExited is event 24,999, ExecutionFailed event 25,000', () => {
    // AWS, measured: a Choice looping on itself fails with States.Runtime, "The execution reached
    // the maximum number of history events (25000).", its last ChoiceStateExited being event 24,999.
    const history = new History(2, MAX_HISTORY_EVENTS); // ExecutionStarted, ChoiceStateEntered
    let turns = 0;
    expect(() => {
      for (;;) {
        history.record(); // ChoiceStateExited
        history.record(); // ChoiceStateEntered
        turns++;
      }
    }).toThrow(new HistoryLimitReached(25_000));
    expect([turns, history.used, history.close()]).toEqual([12_498, 24_999, 25_000]);
  });

  it('fails a looping execution with States.Runtime where its history is full', async () => {
    const def = machine({
      loop: { Type: 'Choice', Choices: [{ Condition: '{% true %}', Next: 'loop' }], Default: 'loop' },
    });
    // The same loop under a limit of 1,000 (25,000 runs for seconds): 2 + 2 × 498 events, one more
    // ChoiceStateExited (999), and the failure (1,000).
    const ex = await (await run(def, { historyLimit: 1_000 })).describe();
    expect(ex).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: 'The execution reached the maximum number of history events (1000).',
      events: 1_000,
      transitions: 498,
    });
  });

  it('counts five events a Lambda task visit, and calls no task once TaskScheduled no longer fits', async () => {
    let calls = 0;
    const def = machine({
      t: { Type: 'Task', Resource: FN, Next: 'again' },
      again: { Type: 'Choice', Choices: [{ Condition: '{% true %}', Next: 't' }], Default: 't' },
    });
    const r = await run(def, { handlers: { [FN]: async () => ++calls }, historyLimit: 100 });
    const ex = await r.describe();
    // ExecutionStarted, TaskStateEntered, then per turn TaskScheduled, TaskStarted (the call),
    // TaskSucceeded, TaskStateExited, ChoiceStateEntered, ChoiceStateExited, TaskStateEntered:
    // 2 + 7 × 13 = 93 after 13 calls; the 14th call's turn writes events 94 to 99, and event 100
    // (the next TaskStateEntered) is the failure instead.
    expect(calls).toBe(14);
    expect(ex).toMatchObject({ status: 'FAILED', error: 'States.Runtime', events: 100 });
  });

  it('counts a task token’s TaskSubmitted and each retry attempt, without entering the state again', async () => {
    let token = '';
    const callback = machine({
      wait: { ...park(60), Next: 'done' },
      done: { Type: 'Succeed' },
    });
    const r = await run(callback, {
      handlers: {
        [FN]: async (p) => {
          token = (p as { token: string }).token;
        },
      },
    });
    await r.engine.sendTaskSuccess({ taskToken: token, output: '{}' });
    await r.engine.idle();
    // ExecutionStarted; TaskStateEntered, TaskScheduled, TaskStarted, TaskSubmitted, TaskSucceeded,
    // TaskStateExited; SucceedStateEntered, SucceedStateExited; ExecutionSucceeded.
    expect(await r.describe()).toMatchObject({ status: 'SUCCEEDED', events: 10 });

    const retried = machine({
      t: {
        Type: 'Task',
        Resource: FN,
        Retry: [{ ErrorEquals: ['Boom'], MaxAttempts: 2, IntervalSeconds: 1 }],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'caught' }],
        End: true,
      },
      caught: { Type: 'Pass', End: true },
    });
    const failing = await run(retried, {
      handlers: {
        [FN]: async () => {
          throw Object.assign(new Error('no'), { name: 'Boom' });
        },
      },
    });
    await failing.drain();
    // ExecutionStarted; TaskStateEntered; (TaskScheduled, TaskStarted, TaskFailed) × 3;
    // TaskStateExited; PassStateEntered, PassStateExited; ExecutionSucceeded.
    expect(await failing.describe()).toMatchObject({ status: 'SUCCEEDED', events: 15 });
  });

  it('counts EvaluationFailed when an expression fails', async () => {
    const def = machine({ p: { Type: 'Pass', Output: '{% $doesNotExist %}', End: true } });
    // As AWS recorded it: ExecutionStarted, PassStateEntered, EvaluationFailed, ExecutionFailed.
    expect(await (await run(def)).describe()).toMatchObject({ status: 'FAILED', events: 4 });
  });
});
