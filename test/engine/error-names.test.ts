/**
 * JSONata failures are States.QueryEvaluationError, and Retry/Catch match error names as AWS
 * documents them:
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 * ("States.QueryEvaluationError: query evaluation failed in a JSONata state, such as a JSONata
 * type error, an incorrectly typed result, or an undefined result").
 */
import { errorMatches } from '../../lib/engine/retry';
import { TASK_RETRY } from '../../lib/journey/compile-steps';
import { engineHarness, FN, machine, T0 } from './harness';

const { run } = engineHarness();

describe('error names and matching', () => {
  it('matches States.TaskFailed to what a task reports, not to States.QueryEvaluationError or States.Timeout', () => {
    for (const error of ['Boom', 'Lambda.Unknown', 'States.TaskFailed', 'States.Permissions'])
      expect([error, errorMatches(['States.TaskFailed'], error)]).toEqual([error, true]);
    for (const error of ['States.QueryEvaluationError', 'States.Timeout', 'States.Runtime', 'States.DataLimitExceeded'])
      expect([error, errorMatches(['States.TaskFailed'], error)]).toEqual([error, false]);
  });

  it('matches States.ALL to everything but States.Runtime and the terminal States.DataLimitExceeded', () => {
    for (const error of ['Boom', 'States.QueryEvaluationError', 'States.Timeout', 'States.TaskFailed'])
      expect([error, errorMatches(['States.ALL'], error)]).toEqual([error, true]);
    expect(errorMatches(['States.ALL'], 'States.Runtime')).toBe(false);
    expect(errorMatches(['States.ALL'], 'States.DataLimitExceeded')).toBe(false);
    expect(errorMatches(['States.DataLimitExceeded'], 'States.DataLimitExceeded')).toBe(true);
    expect(errorMatches(['States.Runtime'], 'States.Runtime')).toBe(false);
  });

  it('fails Arguments that throw with States.QueryEvaluationError: a TaskFailed retrier leaves it, States.ALL catches it, the task never runs', async () => {
    let calls = 0;
    const def = machine({
      t: {
        Type: 'Task',
        Resource: FN,
        Arguments: { n: '{% $number("not a number") %}' },
        Retry: TASK_RETRY,
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'caught' }],
        Next: 'done',
      },
      caught: { Type: 'Succeed' },
      done: { Type: 'Succeed' },
    });
    const r = await run(def, { handlers: { [FN]: async () => calls++ } });
    await r.drain();
    const ex = await r.describe();
    expect(calls).toBe(0);
    expect(ex.status).toBe('SUCCEEDED');
    expect(JSON.parse(ex.output!)).toMatchObject({ Error: 'States.QueryEvaluationError' });
    expect(JSON.parse(ex.output!).Cause).toMatch(
      /^The JSONata expression '\$number\("not a number"\)' specified for the field 'Arguments\/n' threw an error during evaluation/,
    );
    // Not retried: caught at once, not after three backoffs.
    expect(ex.stoppedAt).toBe(new Date(T0).toISOString());
  });

  it('catches an Output that fails after the task succeeded without calling the task again, even under States.ALL retriers', async () => {
    let calls = 0;
    const def = machine({
      t: {
        Type: 'Task',
        Resource: FN,
        Output: { id: '{% $states.result.missing %}' },
        Retry: [...TASK_RETRY, { ErrorEquals: ['States.ALL'], MaxAttempts: 3 }],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'caught', Assign: { err: '{% $states.errorOutput %}' } }],
        Next: 'done',
      },
      caught: { Type: 'Succeed', Output: '{% $err %}' },
      done: { Type: 'Succeed' },
    });
    const r = await run(def, { handlers: { [FN]: async () => ({ calls: ++calls }) } });
    await r.drain();
    const ex = await r.describe();
    expect(calls).toBe(1);
    expect(JSON.parse(ex.output!)).toEqual({
      Error: 'States.QueryEvaluationError',
      Cause:
        "The JSONata expression '$states.result.missing' specified for the field 'Output/id' returned nothing (undefined).",
    });
  });

  it('fails the execution when an expression returns nothing, instead of dropping the key', async () => {
    const def = machine({ p: { Type: 'Pass', Output: { result: '{% $doesNotExist %}' }, End: true } });
    const ex = await (await run(def)).describe();
    // As AWS recorded it for this very state: QueryEvaluationError naming Output/result.
    expect(ex).toMatchObject({
      status: 'FAILED',
      error: 'States.QueryEvaluationError',
      cause:
        "The JSONata expression '$doesNotExist' specified for the field 'Output/result' returned nothing (undefined).",
    });
  });

  it('fails a Choice whose Condition is not a boolean, instead of reading it as false', async () => {
    const def = machine({
      c: { Type: 'Choice', Choices: [{ Condition: '{% $states.input.n %}', Next: 'yes' }], Default: 'no' },
      yes: { Type: 'Succeed' },
      no: { Type: 'Succeed' },
    });
    const ex = await (await run(def, { input: { n: 1 } })).describe();
    expect(ex).toMatchObject({ status: 'FAILED', error: 'States.QueryEvaluationError' });
    expect(ex.cause).toContain("field 'Choices[0]/Condition' returned an unexpected result type. Expected 'boolean'");
  });

  it('fails the execution when a catcher’s own Output fails, instead of handling the error again', async () => {
    let calls = 0;
    const def = machine({
      t: {
        Type: 'Task',
        Resource: FN,
        Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 0 }],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'caught', Output: '{% $nothing %}' }],
        Next: 'caught',
      },
      caught: { Type: 'Succeed' },
    });
    const r = await run(def, {
      handlers: {
        [FN]: async () => {
          calls++;
          throw new Error('boom');
        },
      },
    });
    await r.drain();
    const ex = await r.describe();
    expect(calls).toBe(1);
    expect(ex).toMatchObject({ status: 'FAILED', error: 'States.QueryEvaluationError' });
    expect(ex.cause).toContain("field 'Catch[0]/Output' returned nothing");
  });
});
