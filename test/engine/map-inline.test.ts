/**
 * The INLINE Map state against AWS's documented behaviour for JSONata machines
 * (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html,
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemselector.html): Items,
 * ItemSelector with `$states.context.Map.Item`, the result as the array of iteration outputs,
 * Output/Assign over `$states.result`, an iteration's failure failing the Map (Retry re-runs it,
 * Catch takes it), and the history counted as AWS writes it. AWS histories to compare with were
 * recorded by LocalStack's AWS-validated snapshot tests (test_base_scenarios: test_map_state,
 * test_map_state_items_eval_jsonata, test_map_state_catch, test_map_state_retry).
 */
import { engineHarness, FN, machine, T0 } from './harness';

const { run } = engineHarness();

const inline = (states: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  Type: 'Map',
  ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: Object.keys(states)[0], States: states },
  ...extra,
});

describe('Map (INLINE)', () => {
  it('runs the ItemProcessor for each of Items in order and outputs the array of iteration outputs', async () => {
    const def = machine({
      map: inline(
        { double: { Type: 'Pass', Output: '{% $states.input.n * 2 %}', End: true } },
        { Items: '{% $states.input.list %}', ItemSelector: { n: '{% $states.context.Map.Item.Value %}' }, End: true },
      ),
    });
    const ex = await (await run(def, { input: { list: [1, 2, 3] } })).describe();
    expect(ex.status).toBe('SUCCEEDED');
    expect(JSON.parse(ex.output!)).toEqual([2, 4, 6]);
  });

  it('gives ItemSelector the item index and value, the Map state input and the variables', async () => {
    const def = machine({
      init: { Type: 'Pass', Assign: { tag: 'x' }, Next: 'map' },
      map: inline(
        { id: { Type: 'Pass', End: true } },
        {
          Items: ['a', 'b'],
          ItemSelector: {
            i: '{% $states.context.Map.Item.Index %}',
            v: '{% $states.context.Map.Item.Value %}',
            from: '{% $states.input.from %}',
            tag: '{% $tag %}',
          },
          End: true,
        },
      ),
    });
    const ex = await (await run(def, { input: { from: 'in' } })).describe();
    expect(JSON.parse(ex.output!)).toEqual([
      { i: 0, v: 'a', from: 'in', tag: 'x' },
      { i: 1, v: 'b', from: 'in', tag: 'x' },
    ]);
  });

  it('lets an iteration read the variables and the execution context of the Map, not assign them outside', async () => {
    const def = machine({
      init: { Type: 'Pass', Assign: { base: 10 }, Next: 'map' },
      map: inline(
        {
          add: {
            Type: 'Pass',
            Assign: { base: 0 },
            Output: { n: '{% $base + $states.input %}', execution: '{% $states.context.Execution.Name %}' },
            End: true,
          },
        },
        { Items: [1, 2], Next: 'after' },
      ),
      after: { Type: 'Pass', Output: { results: '{% $states.input %}', base: '{% $base %}' }, End: true },
    });
    const r = await run(def);
    const ex = await r.describe();
    expect(JSON.parse(ex.output!)).toEqual({
      results: [
        { n: 11, execution: r.name },
        { n: 12, execution: r.name },
      ],
      base: 10,
    });
  });

  it('iterates over the state input when there are no Items, and applies Output and Assign to $states.result', async () => {
    const def = machine({
      map: inline(
        { id: { Type: 'Pass', End: true } },
        {
          Output: { count: '{% $count($states.result) %}' },
          Assign: { first: '{% $states.result[0] %}' },
          Next: 'end',
        },
      ),
      end: { Type: 'Pass', Output: { count: '{% $states.input.count %}', first: '{% $first %}' }, End: true },
    });
    const ex = await (await run(def, { input: ['p', 'q', 'r'] })).describe();
    expect(JSON.parse(ex.output!)).toEqual({ count: 3, first: 'p' });
  });

  it('calls a task per item and succeeds with an empty array for no items', async () => {
    const calls: unknown[] = [];
    const task = { Type: 'Task', Resource: FN, Arguments: '{% $states.input %}', End: true };
    const def = machine({ map: inline({ t: task }, { Items: '{% $states.input %}', End: true }) });
    const empty = await (await run(def, { input: [], handlers: { [FN]: async (p) => calls.push(p) } })).describe();
    expect([empty.status, JSON.parse(empty.output!), calls]).toEqual(['SUCCEEDED', [], []]);
    const two = await (
      await run(def, { input: [{ a: 1 }, { a: 2 }], handlers: { [FN]: async (p) => calls.push(p) } })
    ).describe();
    expect(JSON.parse(two.output!)).toEqual([1, 2]);
    expect(calls).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('fails with the error and cause of a failed iteration, caught by Catch', async () => {
    const def = machine({
      map: inline(
        {
          check: { Type: 'Choice', Choices: [{ Condition: '{% $states.input = 2 %}', Next: 'bad' }], Default: 'ok' },
          ok: { Type: 'Succeed' },
          bad: { Type: 'Fail', Error: 'Bad.Item', Cause: 'item 2' },
        },
        { Items: [1, 2, 3], Catch: [{ ErrorEquals: ['Bad.Item'], Next: 'caught' }], Next: 'done' },
      ),
      caught: { Type: 'Pass', End: true },
      done: { Type: 'Succeed' },
    });
    const ex = await (await run(def)).describe();
    expect(ex.status).toBe('SUCCEEDED');
    expect(JSON.parse(ex.output!)).toEqual({ Error: 'Bad.Item', Cause: 'item 2' });
  });

  it('re-runs every iteration on Retry, then fails the execution with the iteration error', async () => {
    let calls = 0;
    const def = machine({
      map: inline(
        { t: { Type: 'Task', Resource: FN, End: true } },
        { Items: [1], Retry: [{ ErrorEquals: ['Boom'], IntervalSeconds: 5, MaxAttempts: 2 }], End: true },
      ),
    });
    const handlers = {
      [FN]: async () => {
        calls++;
        throw Object.assign(new Error('no'), { name: 'Boom' });
      },
    };
    const r = await run(def, { handlers });
    await r.drain();
    const ex = await r.describe();
    expect(calls).toBe(3);
    expect(ex).toMatchObject({ status: 'FAILED', error: 'Boom' });
    // Retried after 5 s, then 10 s.
    expect(ex.stoppedAt).toBe(new Date(T0 + 15_000).toISOString());
  });

  it('runs an iteration that waits, in virtual time, with the Map waiting for it', async () => {
    const def = machine({
      map: inline(
        { w: { Type: 'Wait', Seconds: '{% $states.input %}', Next: 'p' }, p: { Type: 'Pass', End: true } },
        { Items: [60, 30], End: true },
      ),
    });
    const r = await run(def);
    expect((await r.describe()).status).toBe('RUNNING');
    await r.drain();
    const ex = await r.describe();
    expect([ex.status, JSON.parse(ex.output!), ex.stoppedAt]).toEqual([
      'SUCCEEDED',
      [60, 30],
      new Date(T0 + 60_000).toISOString(),
    ]);
  });

  it('counts the history as AWS writes it: 18 events for three one-Pass iterations', async () => {
    // AWS (test_map_state_items_eval_jsonata[mixed]): ExecutionStarted, MapStateEntered,
    // MapStateStarted, 3 × (MapIterationStarted, PassStateEntered, PassStateExited,
    // MapIterationSucceeded), MapStateSucceeded, MapStateExited, ExecutionSucceeded.
    const def = machine({ map: inline({ p: { Type: 'Pass', End: true } }, { Items: [1, 'two', 3], End: true }) });
    const ex = await (await run(def)).describe();
    expect([ex.status, ex.events]).toEqual(['SUCCEEDED', 18]);
  });

  it('counts a caught iteration failure as AWS does: 13 events', async () => {
    // AWS (test_map_state_catch): ExecutionStarted, PassStateEntered/Exited, MapStateEntered,
    // MapStateStarted, MapIterationStarted, FailStateEntered, MapIterationFailed, MapStateFailed,
    // MapStateExited, PassStateEntered/Exited, ExecutionSucceeded.
    const def = machine({
      start: { Type: 'Pass', Next: 'map' },
      map: inline(
        { f: { Type: 'Fail', Error: 'E', Cause: 'C' } },
        { Items: [1], MaxConcurrency: 1, Catch: [{ ErrorEquals: ['E'], Next: 'caught' }], Next: 'final' },
      ),
      caught: { Type: 'Pass', End: true },
      final: { Type: 'Pass', End: true },
    });
    const ex = await (await run(def)).describe();
    expect([ex.status, ex.events]).toEqual(['SUCCEEDED', 13]);
  });

  it('fails the execution with States.Runtime when its iterations fill the history, and stops the others', async () => {
    // Each iteration writes 6 events (MapIterationStarted, Wait and Pass entered and exited,
    // MapIterationSucceeded) into the Map's history: under a limit of 100, 300 iterations cannot fit.
    // The iterations wait 1 to 300 s, so most are still waiting when the history is full.
    const def = machine({
      map: inline(
        { w: { Type: 'Wait', Seconds: '{% $states.input %}', Next: 'p' }, p: { Type: 'Pass', End: true } },
        { Items: '{% [1..300] %}', End: true },
      ),
    });
    const r = await run(def, { historyLimit: 100 });
    await r.drain();
    const ex = await r.describe();
    expect(ex).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: 'The execution reached the maximum number of history events (100).',
      events: 100,
    });
    expect(await r.engine.nextDueAt()).toBeUndefined(); // no iteration is left waiting
  });

  it('fails Items that are not an array with States.QueryEvaluationError, and a definition without ItemProcessor with States.Runtime', async () => {
    const notArray = machine({ map: inline({ p: { Type: 'Pass', End: true } }, { Items: '{% 1 %}', End: true }) });
    const ex = await (await run(notArray)).describe();
    expect(ex).toMatchObject({ status: 'FAILED', error: 'States.QueryEvaluationError' });
    expect(ex.cause).toBe(
      "The JSONata expression '1' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'number'.",
    );
    // AWS (test_map_state_items_eval_jsonata_fail[number]): ExecutionStarted, MapStateEntered, EvaluationFailed, MapStateFailed, ExecutionFailed.
    expect(ex.events).toBe(5);
    const noProcessor = machine({ map: { Type: 'Map', Items: [1], End: true } });
    expect(await (await run(noProcessor)).describe()).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: 'a Map state needs an ItemProcessor with StartAt and States',
    });
  });
});
