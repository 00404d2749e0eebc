/**
 * Step Functions' limits, enforced locally as on AWS:
 * - "Maximum execution time: 1 year. If an execution runs for more than the 1-year maximum, it will
 *   fail with a States.Timeout error", and 256 KiB "maximum input or output size for a task,
 *   state, or execution": https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
 * - StartExecution `name` 1–80 characters without white space, brackets, wildcards, special or
 *   control characters (InvalidName), `input` at most 262,144 bytes of UTF-8:
 *   https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
 * - SendTaskSuccess `output` at most 262,144 bytes of UTF-8, JSON (InvalidOutput):
 *   https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html
 * - "States.DataLimitExceeded: a terminal error that can't be caught by the States.ALL error type":
 *   https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
import { VirtualClock } from '../../lib/engine/clock';
import { DAY, engineHarness, FN, machine, park, SM, T0 } from './harness';

const { run, engineFor } = engineHarness();

/** A JSON string of `bytes` bytes of UTF-8, most of them two-byte characters. */
function jsonOfBytes(bytes: number): string {
  const text = JSON.stringify('é'.repeat(Math.floor((bytes - 2) / 2)) + 'x'.repeat((bytes - 2) % 2));
  expect(Buffer.byteLength(text)).toBe(bytes);
  return text;
}

describe('the one-year execution limit', () => {
  it('times out an execution after a year with States.Timeout, whatever its waits or TimeoutSeconds say', async () => {
    const def = machine(
      { w: { Type: 'Wait', Seconds: 99_999_999, Next: 'done' }, done: { Type: 'Succeed' } },
      { TimeoutSeconds: 2 * 365 * 86_400 },
    );
    const r = await run(def);
    expect(await r.engine.nextDueAt()).toBe(T0 + 365 * DAY);
    await r.drain();
    expect(await r.describe()).toMatchObject({
      status: 'TIMED_OUT',
      error: 'States.Timeout',
      stoppedAt: new Date(T0 + 365 * DAY).toISOString(),
    });
  });
});

describe('StartExecution', () => {
  const def = machine({ done: { Type: 'Succeed' } });
  const engine = () => engineFor(def, {}, new VirtualClock(T0));

  it('takes names of 1 to 80 characters made of letters, digits and - _ . and other printable characters', async () => {
    const e = await engine();
    for (const name of ['a', 'i-0123456789abcdef0123456789abcdef', 'x'.repeat(80), 'Ünïcødé_name.v2', 'a=b+c@d!'])
      await expect(e.startExecution({ stateMachineArn: SM, name, input: '{}' })).resolves.toHaveProperty(
        'executionArn',
      );
  });

  it.each([
    ['white space', 'has space'],
    ['a tab', 'tab\there'],
    ['a slash', 'a/b'],
    ['a colon', 'a:b'],
    ['brackets', 'a[0]'],
    ['a wildcard', 'a*'],
    ['a quote', 'say"hi"'],
    ['a backtick', 'a`b'],
    ['a control character', 'a\u0001b'],
    ['a C1 control character', 'a\u0085b'],
    ['a lone surrogate', 'a\ud800b'],
  ])('refuses a name with %s as InvalidName', async (_, name) => {
    const e = await engine();
    await expect(e.startExecution({ stateMachineArn: SM, name, input: '{}' })).rejects.toMatchObject({
      name: 'InvalidName',
    });
  });

  it('refuses an empty name or one over 80 characters as ValidationException, naming the limit', async () => {
    const e = await engine();
    await expect(e.startExecution({ stateMachineArn: SM, name: 'x'.repeat(81), input: '{}' })).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('less than or equal to 80'),
    });
    await expect(e.startExecution({ stateMachineArn: SM, name: '', input: '{}' })).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('refuses an input over 262,144 bytes of UTF-8, and one that is not JSON, starting nothing', async () => {
    const e = await engine();
    const big = `{"k":${jsonOfBytes(262_144 - 6)}}`;
    expect(Buffer.byteLength(big)).toBe(262_144);
    await expect(e.startExecution({ stateMachineArn: SM, name: 'fits', input: big })).resolves.toHaveProperty(
      'executionArn',
    );
    const over = `{"k":${jsonOfBytes(262_145 - 6)}}`;
    await expect(e.startExecution({ stateMachineArn: SM, name: 'too-big', input: over })).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('262144'),
    });
    await expect(e.startExecution({ stateMachineArn: SM, name: 'not-json', input: '{oops' })).rejects.toMatchObject({
      name: 'InvalidExecutionInput',
    });
    for (const name of ['too-big', 'not-json'])
      await expect(e.describeExecution(`${SM.replace(':stateMachine:', ':execution:')}:${name}`)).rejects.toMatchObject(
        { name: 'ExecutionDoesNotExist' },
      );
  });
});

describe('SendTaskSuccess and SendTaskFailure', () => {
  it('refuses an output over 262,144 bytes of UTF-8 or not JSON, and the task still takes a good one', async () => {
    let token = '';
    const def = machine({ wait: { ...park(60), Output: '{% $states.result %}', End: true } });
    const r = await run(def, {
      handlers: {
        [FN]: async (p) => {
          token = (p as { token: string }).token;
        },
      },
    });
    // 131,072 two-byte characters: 262,146 bytes, though only 131,074 UTF-16 units.
    await expect(r.engine.sendTaskSuccess({ taskToken: token, output: jsonOfBytes(262_146) })).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(r.engine.sendTaskSuccess({ taskToken: token, output: '{not json' })).rejects.toMatchObject({
      name: 'InvalidOutput',
    });
    expect((await r.describe()).status).toBe('RUNNING');
    await r.engine.sendTaskSuccess({ taskToken: token, output: '{"ok":true}' });
    await r.engine.idle();
    expect(await r.describe()).toMatchObject({ status: 'SUCCEEDED', output: '{"ok":true}' });
  });

  it('refuses an error over 256 characters or a cause over 32,768', async () => {
    let token = '';
    const r = await run(machine({ wait: { ...park(60), End: true } }), {
      handlers: {
        [FN]: async (p) => {
          token = (p as { token: string }).token;
        },
      },
    });
    await expect(r.engine.sendTaskFailure({ taskToken: token, error: 'E'.repeat(257) })).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(r.engine.sendTaskFailure({ taskToken: token, cause: 'c'.repeat(32_769) })).rejects.toMatchObject({
      name: 'ValidationException',
    });
    expect((await r.describe()).status).toBe('RUNNING');
  });
});

describe('256 KiB of state data', () => {
  it('fails an execution whose final output passes 256 KiB with States.DataLimitExceeded', async () => {
    const def = machine({ big: { Type: 'Succeed', Output: '{% $pad("", 300000, "x") %}' } });
    expect(await (await run(def)).describe()).toMatchObject({
      status: 'FAILED',
      error: 'States.DataLimitExceeded',
    });
  });

  it('fails a task whose result passes 256 KiB with States.DataLimitExceeded, which States.ALL does not catch', async () => {
    const def = (errorEquals: string) =>
      machine({
        t: { Type: 'Task', Resource: FN, Catch: [{ ErrorEquals: [errorEquals], Next: 'caught' }], End: true },
        caught: { Type: 'Succeed', Output: '{% $states.input.Error %}' },
      });
    const handlers = { [FN]: async () => ({ blob: 'x'.repeat(300_000) }) };
    expect(await (await run(def('States.ALL'), { handlers })).describe()).toMatchObject({
      status: 'FAILED',
      error: 'States.DataLimitExceeded',
    });
    expect(await (await run(def('States.DataLimitExceeded'), { handlers })).describe()).toMatchObject({
      status: 'SUCCEEDED',
      output: '"States.DataLimitExceeded"',
    });
  });
});
