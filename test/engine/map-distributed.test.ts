/**
 * The DISTRIBUTED Map state against AWS's documentation for JSONata machines
 * (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html,
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html,
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html,
 * https://docs.aws.amazon.com/step-functions/latest/dg/maprun-fail-threshold.html): children are
 * executions of their own, S3 reads are served from the engine's objects directory, batches,
 * MaxConcurrency, tolerated failures and AWS's error names and causes. AWS histories and outputs
 * to compare with were recorded by LocalStack's AWS-validated snapshot tests (test_base_scenarios:
 * test_map_item_batching_base_json_max_per_batch_jsonata, test_map_item_reader_base_csv_headers_first_line,
 * test_map_item_reader_json_no_json_list_object, test_map_state_tolerated_failure_*).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { executionArnOf } from '../../lib/engine/arns';
import { engineHarness, FN, machine, T0 } from './harness';

const { run } = engineHarness();

/** A directory serving S3: bucket → key → content. */
function objects(buckets: Record<string, Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-objects-'));
  for (const [bucket, keys] of Object.entries(buckets)) {
    mkdirSync(join(dir, bucket), { recursive: true });
    for (const [key, content] of Object.entries(keys)) {
      mkdirSync(dirname(join(dir, bucket, key)), { recursive: true });
      writeFileSync(join(dir, bucket, key), content);
    }
  }
  return dir;
}

const DISTRIBUTED = { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' };
const pass = { StartAt: 'p', States: { p: { Type: 'Pass', End: true } } };

/** A Distributed Map of one Pass (its children output their input), reading `reader`. */
const mapOf = (fields: Record<string, unknown>, processor: Record<string, unknown> = pass) =>
  machine({
    map: { Type: 'Map', ItemProcessor: { ProcessorConfig: DISTRIBUTED, ...processor }, End: true, ...fields },
  });

const getObject = (inputType: string, key: string, config: Record<string, unknown> = {}) => ({
  Resource: 'arn:aws:states:::s3:getObject',
  ReaderConfig: { InputType: inputType, ...config },
  Arguments: { Bucket: 'b', Key: key },
});

describe('Map (DISTRIBUTED)', () => {
  it('reads JSONL into batches with BatchInput, each a child execution, and outputs the children outputs', async () => {
    const dir = objects({ b: { 'members.jsonl': '{"id":1}\n{"id":2}\n\n{"id":3}\r\n{"id":4}\n{"id":5}' } });
    const seen: unknown[] = [];
    const def = mapOf(
      {
        ItemReader: getObject('JSONL', 'members.jsonl'),
        ItemBatcher: { MaxItemsPerBatch: 2, BatchInput: { run: '{% $states.input.run %}' } },
      },
      {
        StartAt: 't',
        States: {
          t: {
            Type: 'Task',
            Resource: FN,
            Arguments: { batch: '{% $states.input %}', execution: '{% $states.context.Execution.Id %}' },
            Output: '{% $count($states.input.Items) %}',
            End: true,
          },
        },
      },
    );
    const r = await run(def, { objectsDir: dir, input: { run: 'r1' }, handlers: { [FN]: async (p) => seen.push(p) } });
    const ex = await r.describe();
    expect(ex.status).toBe('SUCCEEDED');
    expect(JSON.parse(ex.output!)).toEqual([2, 2, 1]);
    const batches = seen as { batch: unknown; execution: string }[];
    expect(batches.map((b) => b.batch)).toEqual([
      { BatchInput: { run: 'r1' }, Items: [{ id: 1 }, { id: 2 }] },
      { BatchInput: { run: 'r1' }, Items: [{ id: 3 }, { id: 4 }] },
      { BatchInput: { run: 'r1' }, Items: [{ id: 5 }] },
    ]);
    // Each batch ran as an execution of the ItemProcessor, under `<machine>/<Map state>`, as AWS names them.
    const children = batches.map((b) => b.execution);
    expect(new Set(children).size).toBe(3);
    for (const arn of children) {
      expect(arn).toMatch(/^arn:aws:states:local:000000000000:execution:test\/map:run-\d+-[\w-]{12}-\d$/);
      // A closed child keeps what DescribeExecution shows, not its last state's input and variables.
      expect(await r.engine.describeExecution(arn)).toMatchObject({ status: 'SUCCEEDED', stateInput: null, vars: {} });
    }
    // AWS: ExecutionStarted, MapStateEntered, MapStateStarted, MapRunStarted, MapRunSucceeded,
    // MapStateSucceeded, MapStateExited, ExecutionSucceeded; the children's events are their own.
    expect(ex.events).toBe(8);
  });

  it('reads a JSON array up to MaxItems, and fails a JSON object that is no array as AWS does', async () => {
    const dir = objects({ b: { 'list.json': '[1,2,3,4]', 'object.json': '{"Hello":"world"}' } });
    const list = await (
      await run(mapOf({ ItemReader: getObject('JSON', 'list.json', { MaxItems: 3 }) }), { objectsDir: dir })
    ).describe();
    expect(JSON.parse(list.output!)).toEqual([1, 2, 3]);
    const object = await (
      await run(mapOf({ ItemReader: getObject('JSON', 'object.json') }), { objectsDir: dir })
    ).describe();
    // AWS (test_map_item_reader_json_no_json_list_object): MapRunFailed, MapStateFailed, ExecutionFailed.
    expect(object).toMatchObject({
      status: 'FAILED',
      error: 'States.ItemReaderFailed',
      cause: 'Attempting to map over non-iterable node.',
      events: 7,
    });
  });

  it('reads CSV with the first row as headers: every value a string, quotes and CRLF handled, missing values empty, extra ones dropped', async () => {
    const csv = 'Col1,Col2,Col3\r\nValue1,Value2,Value3\r\n"a, ""quoted""\nvalue",,x\ntrue,1\nNull,None,,extra\n   \n';
    const dir = objects({ b: { 'file.csv': csv } });
    const ex = await (
      await run(mapOf({ ItemReader: getObject('CSV', 'file.csv', { CSVHeaderLocation: 'FIRST_ROW' }) }), {
        objectsDir: dir,
      })
    ).describe();
    expect(JSON.parse(ex.output!)).toEqual([
      { Col1: 'Value1', Col2: 'Value2', Col3: 'Value3' },
      { Col1: 'a, "quoted"\nvalue', Col2: '', Col3: 'x' },
      { Col1: 'true', Col2: '1', Col3: '' },
      { Col1: 'Null', Col2: 'None', Col3: '' },
      { Col1: '   ', Col2: '', Col3: '' },
    ]);
  });

  it('reads objects that open with a UTF-8 byte order mark', async () => {
    const bom = '\uFEFF';
    const dir = objects({
      b: { 'f.csv': `${bom}id,name\n1,é\n`, 'f.jsonl': `${bom}{"id":1}\n`, 'f.json': `${bom}[1]` },
    });
    const read = async (type: string, key: string) =>
      JSON.parse(
        (await (await run(mapOf({ ItemReader: getObject(type, key) }), { objectsDir: dir })).describe()).output!,
      );
    expect(await read('CSV', 'f.csv')).toEqual([{ id: '1', name: 'é' }]);
    expect(await read('JSONL', 'f.jsonl')).toEqual([{ id: 1 }]);
    expect(await read('JSON', 'f.json')).toEqual([1]);
  });

  it('reads CSV with given headers and a delimiter, and refuses duplicate headers with AWS words', async () => {
    const dir = objects({ b: { 'pipe.csv': 'a|b\nc|d\n' } });
    const given = getObject('CSV', 'pipe.csv', {
      CSVHeaderLocation: 'GIVEN',
      CSVHeaders: ['x', 'y'],
      CSVDelimiter: 'PIPE',
    });
    const ex = await (await run(mapOf({ ItemReader: given }), { objectsDir: dir })).describe();
    expect(JSON.parse(ex.output!)).toEqual([
      { x: 'a', y: 'b' },
      { x: 'c', y: 'd' },
    ]);
    const dup = getObject('CSV', 'pipe.csv', {
      CSVHeaderLocation: 'GIVEN',
      CSVHeaders: ['x', 'x'],
      CSVDelimiter: 'PIPE',
    });
    expect(await (await run(mapOf({ ItemReader: dup }), { objectsDir: dir })).describe()).toMatchObject({
      status: 'FAILED',
      error: 'States.ItemReaderFailed',
      cause: 'CSV headers cannot contain duplicates.',
    });
  });

  it('lists objects under a prefix in key order with listObjectsV2', async () => {
    const dir = objects({ b: { 'in/b.txt': 'bb', 'in/a.txt': 'a', 'in/sub/c.txt': 'ccc', 'out/d.txt': 'd' } });
    const reader = {
      Resource: 'arn:aws:states:::s3:listObjectsV2',
      Arguments: { Bucket: 'b', Prefix: 'in/' },
    };
    const ex = await (
      await run(
        mapOf({
          ItemReader: reader,
          ItemSelector: '{% $states.context.Map.Item.Value.Key & ":" & $states.context.Map.Item.Value.Size %}',
        }),
        { objectsDir: dir },
      )
    ).describe();
    expect(JSON.parse(ex.output!)).toEqual(['in/a.txt:1', 'in/b.txt:2', 'in/sub/c.txt:3']);
  });

  it('fails a missing object or bucket with States.ItemReaderFailed, which Catch takes', async () => {
    const dir = objects({ b: {} });
    const caught = machine({
      map: {
        Type: 'Map',
        ItemProcessor: { ProcessorConfig: DISTRIBUTED, ...pass },
        ItemReader: getObject('JSONL', 'missing.jsonl'),
        Catch: [{ ErrorEquals: ['States.ItemReaderFailed'], Next: 'caught' }],
        End: true,
      },
      caught: { Type: 'Pass', End: true },
    });
    const ex = await (await run(caught, { objectsDir: dir })).describe();
    expect(ex.status).toBe('SUCCEEDED');
    expect(JSON.parse(ex.output!)).toMatchObject({ Error: 'States.ItemReaderFailed' });
    expect(JSON.parse(ex.output!).Cause).toMatch(/^The specified key does not exist: s3:\/\/b\/missing.jsonl/);
    const noBucket = mapOf({ ItemReader: { ...getObject('JSON', 'k'), Arguments: { Bucket: 'nope', Key: 'k' } } });
    expect((await (await run(noBucket, { objectsDir: dir })).describe()).cause).toMatch(
      /^The specified bucket does not exist: 'nope'/,
    );
    const outside = mapOf({
      ItemReader: { ...getObject('JSON', 'k'), Arguments: { Bucket: 'b', Key: '../../etc/passwd' } },
    });
    expect(await (await run(outside, { objectsDir: dir })).describe()).toMatchObject({
      error: 'States.ItemReaderFailed',
      cause: "The key '../../etc/passwd' is not valid: it must name an object inside bucket 'b'.",
    });
    const noDir = await (await run(mapOf({ ItemReader: getObject('JSON', 'k') }))).describe();
    expect(noDir).toMatchObject({ status: 'FAILED', error: 'States.ItemReaderFailed' });
    expect(noDir.cause).toMatch(/none was given \(EngineOptions.objectsDir\)/);
  });

  it('fails a line that is not JSON with the line number, not the line', async () => {
    const dir = objects({ b: { 'bad.jsonl': '{"id":1}\n{"email":"ana@example.com"\n' } });
    const ex = await (
      await run(mapOf({ ItemReader: getObject('JSONL', 'bad.jsonl') }), { objectsDir: dir })
    ).describe();
    expect(ex).toMatchObject({
      status: 'FAILED',
      error: 'States.ItemReaderFailed',
      cause: 'Line 2 of s3://b/bad.jsonl is not valid JSON (InputType JSONL reads one JSON value a line).',
    });
  });

  it('closes a batch before MaxInputBytesPerBatch is passed', async () => {
    // Items of 12 bytes each ({"n":"xxxx"}); {"Items":[]} is 12 bytes; two items and a comma make 37.
    const items = Array.from({ length: 5 }, (_, i) => ({ n: `${i}`.repeat(4) }));
    const def = mapOf(
      { Items: items, ItemBatcher: { MaxInputBytesPerBatch: 37 } },
      {
        StartAt: 'p',
        States: { p: { Type: 'Pass', Output: '{% $count($states.input.Items) %}', End: true } },
      },
    );
    const ex = await (await run(def)).describe();
    expect(JSON.parse(ex.output!)).toEqual([2, 2, 1]);
  });

  it('runs at most MaxConcurrency children at once', async () => {
    const calls: [string, unknown][] = [];
    const def = mapOf(
      { Items: [1, 2, 3, 4, 5], MaxConcurrency: 2 },
      {
        StartAt: 'w',
        States: {
          w: { Type: 'Wait', Seconds: 60, Next: 't' },
          t: { Type: 'Task', Resource: FN, Arguments: '{% $states.input %}', End: true },
        },
      },
    );
    const r = await run(def, {
      handlers: (clock) => ({ [FN]: async (p) => calls.push([new Date(clock.now()).toISOString(), p]) }),
    });
    await r.drain();
    const at = (s: number) => new Date(T0 + s * 1000).toISOString();
    expect(calls).toEqual([
      [at(60), 1],
      [at(60), 2],
      [at(120), 3],
      [at(120), 4],
      [at(180), 5],
    ]);
    expect((await r.describe()).status).toBe('SUCCEEDED');
  });

  describe('tolerated failures', () => {
    /** Children fail on items that are negative. */
    const failing = {
      StartAt: 'check',
      States: {
        check: { Type: 'Choice', Choices: [{ Condition: '{% $states.input < 0 %}', Next: 'bad' }], Default: 'ok' },
        ok: { Type: 'Succeed' },
        bad: { Type: 'Fail', Error: 'Negative', Cause: 'below zero' },
      },
    };

    it('fails the Map on the first failed child by default, with AWS error and cause', async () => {
      const ex = await (await run(mapOf({ Items: [1, -1, 2] }, failing))).describe();
      expect(ex).toMatchObject({
        status: 'FAILED',
        error: 'States.ExceedToleratedFailureThreshold',
        cause: 'The specified tolerated failure threshold was exceeded',
      });
    });

    it('tolerates ToleratedFailureCount failed items, and the result holds the failed child error', async () => {
      const ok = await (await run(mapOf({ Items: [1, -1, 2], ToleratedFailureCount: 1 }, failing))).describe();
      expect(ok.status).toBe('SUCCEEDED');
      expect(JSON.parse(ok.output!)).toEqual([1, { Error: 'Negative', Cause: 'below zero' }, 2]);
      const over = await (await run(mapOf({ Items: [1, -1, -2], ToleratedFailureCount: 1 }, failing))).describe();
      expect(over).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    });

    it('tolerates ToleratedFailurePercentage of all items, counting the items of failed batches', async () => {
      const items = [1, -1, 2, 3];
      const half = await (await run(mapOf({ Items: items, ToleratedFailurePercentage: 25 }, failing))).describe();
      expect(half.status).toBe('SUCCEEDED');
      // In batches of 2, the failed batch fails both its items: 50% > 25%.
      const batched = mapOf(
        { Items: items, ItemBatcher: { MaxItemsPerBatch: 2 }, ToleratedFailurePercentage: 25 },
        {
          StartAt: 'check',
          States: {
            check: {
              Type: 'Choice',
              Choices: [{ Condition: '{% $min($states.input.Items) < 0 %}', Next: 'bad' }],
              Default: 'ok',
            },
            ok: { Type: 'Succeed' },
            bad: { Type: 'Fail', Error: 'Negative' },
          },
        },
      );
      expect(await (await run(batched)).describe()).toMatchObject({ error: 'States.ExceedToleratedFailureThreshold' });
    });

    it('measures the percentage once every item is read, also when the last child closed before the reader ended', async () => {
      // Four children at once: the failure is counted before the reader finds no fifth item.
      const ex = await (
        await run(mapOf({ Items: [1, -1, 2, 3], MaxConcurrency: 4, ToleratedFailurePercentage: 10 }, failing))
      ).describe();
      expect(ex).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    });

    it('refuses a negative count or a percentage over 100 with States.Runtime, in AWS words', async () => {
      const count = await (await run(mapOf({ Items: [1], ToleratedFailureCount: '{% -1 %}' }))).describe();
      expect(count).toMatchObject({
        status: 'FAILED',
        error: 'States.Runtime',
        cause: 'ToleratedFailureCount cannot be negative.',
      });
      // AWS: ExecutionStarted, MapStateEntered, MapStateStarted, ExecutionFailed.
      expect(count.events).toBe(4);
      const pct = await (await run(mapOf({ Items: [1], ToleratedFailurePercentage: 100.1 }))).describe();
      expect(pct).toMatchObject({
        error: 'States.Runtime',
        cause: 'ToleratedFailurePercentage must be between 0 and 100.',
      });
    });
  });

  it('starts children without the parent variables: a child reading one fails', async () => {
    const def = machine({
      init: { Type: 'Pass', Assign: { secret: 1 }, Next: 'map' },
      map: {
        Type: 'Map',
        Items: [1],
        ItemProcessor: {
          ProcessorConfig: DISTRIBUTED,
          StartAt: 'p',
          States: { p: { Type: 'Pass', Output: '{% $secret %}', End: true } },
        },
        ToleratedFailureCount: 1,
        End: true,
      },
    });
    const ex = await (await run(def)).describe();
    expect(JSON.parse(ex.output!)).toEqual([
      {
        Error: 'States.QueryEvaluationError',
        Cause: "The JSONata expression '$secret' specified for the field 'Output' returned nothing (undefined).",
      },
    ]);
  });

  it('stops the running children when its execution is stopped', async () => {
    const def = mapOf({ Items: [1, 2] }, { StartAt: 'w', States: { w: { Type: 'Wait', Seconds: 3600, End: true } } });
    const r = await run(def);
    const { map } = await r.describe();
    const children = map!.running.map(([i]) => executionArnOf(map!.processor, `${map!.names}-${i}`));
    expect(children).toHaveLength(2);
    await r.engine.stopExecution({ executionArn: r.executionArn });
    await r.engine.idle();
    expect((await r.describe()).status).toBe('ABORTED');
    for (const arn of children) expect((await r.engine.describeExecution(arn)).status).toBe('ABORTED');
    expect(await r.engine.nextDueAt()).toBeUndefined(); // nothing is left waiting
  });

  it('refuses fields of the wrong mode and unsupported readers with States.Runtime naming them', async () => {
    const inlineReader = machine({
      map: { Type: 'Map', ItemReader: getObject('JSON', 'k'), ItemProcessor: pass, End: true },
    });
    expect(await (await run(inlineReader)).describe()).toMatchObject({
      error: 'States.Runtime',
      cause: "the field 'ItemReader' is only allowed when ItemProcessor/ProcessorConfig/Mode is DISTRIBUTED",
    });
    const type = await (await run(mapOf({ ItemReader: getObject('XML', 'k') }))).describe();
    expect(type).toMatchObject({
      error: 'States.Runtime',
      cause: `the field 'ItemReader/ReaderConfig/InputType' is "XML"; allowed: JSON, JSONL, CSV`,
    });
    const mode = machine({
      map: { Type: 'Map', Items: [1], ItemProcessor: { ...pass, ProcessorConfig: { Mode: 'distributed' } }, End: true },
    });
    expect((await (await run(mode)).describe()).cause).toBe(
      `the field 'ItemProcessor/ProcessorConfig/Mode' is "distributed"; allowed: INLINE, DISTRIBUTED`,
    );
  });
});
