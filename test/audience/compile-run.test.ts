/**
 * The run's ASL is compiled like a journey's: a pure function whose document asl-validator
 * accepts with AWS's and the local substitutions, in the shape the design fixes (List, a loop
 * over groups with a Wait and a Distributed Map reading JSONL in batches).
 */
import {
  AUDIENCE_PLACEHOLDER,
  compileRun,
  DEFAULT_BATCH,
  DEFAULT_MAX_CONCURRENCY,
  runAtExpression,
} from '../../lib/audience/compile-run';
import { runExecutionName } from '../../lib/audience/run-identity';
import { renderAsl, substitute } from '../../lib/journey/compile';
import { localSubstitutions } from '../../lib/local/runtime';
import { aslValidator } from '../asl-validator';
import { audienceDoc, loadAudience } from './fixtures';

const AWS = { [AUDIENCE_PLACEHOLDER]: 'arn:aws:lambda:us-east-1:123456789012:function:baton-audience' };

describe('compileRun', () => {
  it.each([undefined, 50])('passes asl-validator with AWS and local substitutions (ratePerSecond %s)', (rate) => {
    const text = renderAsl(compileRun(loadAudience(audienceDoc({ ratePerSecond: rate })).journey));
    for (const subs of [AWS, localSubstitutions()]) {
      const result = aslValidator(JSON.parse(substitute(text, subs)));
      expect(result.errors).toEqual([]);
      expect(result.isValid).toBe(true);
    }
  });

  it('is a pure function of the journey', () => {
    const j = loadAudience(audienceDoc()).journey;
    expect(renderAsl(compileRun(j))).toBe(renderAsl(compileRun(structuredClone(j))));
  });

  it('lists, then waits for each group and enters it through a Distributed Map over its JSONL file', () => {
    const asl = compileRun(loadAudience(audienceDoc()).journey);
    expect(asl.StartAt).toBe('List');
    expect(asl.States.List).toMatchObject({
      Type: 'Task',
      Resource: `\${${AUDIENCE_PLACEHOLDER}}`,
      Arguments: { op: 'list', journey: 'newsletter', version: 1, runAt: `{% ${runAtExpression(false)} %}` },
      Assign: { groups: '{% $states.result.groups %}', bucket: '{% $states.result.bucket %}', g: 0 },
      Next: 'NextGroup',
    });
    expect(asl.States.NextGroup).toEqual({
      Type: 'Choice',
      Choices: [{ Condition: '{% $g < $count($groups) %}', Next: 'WaitGroup' }],
      Default: 'Done',
    });
    expect(asl.States.WaitGroup).toEqual({ Type: 'Wait', Timestamp: '{% $groups[$g].enterAt %}', Next: 'EnterGroup' });
    expect(asl.States.EnterGroup).toMatchObject({
      Type: 'Map',
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSONL' },
        Arguments: { Bucket: '{% $bucket %}', Key: '{% $groups[$g].key %}' },
      },
      ItemBatcher: {
        MaxItemsPerBatch: DEFAULT_BATCH,
        BatchInput: { journey: 'newsletter', version: 1, runAt: '{% $runAt %}' },
      },
      MaxConcurrency: DEFAULT_MAX_CONCURRENCY,
      ToleratedFailurePercentage: 0,
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Enter' },
      Assign: { g: '{% $g + 1 %}' },
      Next: 'NextGroup',
    });
    // Without a rate every batch enters at its group's instant: no Pace state.
    expect(Object.keys((asl.States.EnterGroup.ItemProcessor as { States: object }).States)).toEqual(['Enter']);
  });

  it('with a rate, batches one second of the run and paces each batch to its second', () => {
    const asl = compileRun(loadAudience(audienceDoc({ ratePerSecond: 50 })).journey);
    const map = asl.States.EnterGroup as unknown as {
      ItemBatcher: { MaxItemsPerBatch: number };
      ItemProcessor: { StartAt: string; States: Record<string, unknown> };
    };
    expect(map.ItemBatcher.MaxItemsPerBatch).toBe(50);
    expect(map.ItemProcessor.StartAt).toBe('Pace');
    expect(map.ItemProcessor.States.Pace).toEqual({
      Type: 'Wait',
      Timestamp: '{% $states.input.Items[0].enterAt %}',
      Next: 'Enter',
    });
    expect(map.ItemProcessor.States.Enter).toMatchObject({
      Arguments: { op: 'enter', batch: '{% $states.input %}' },
      End: true,
    });
  });

  it('names a run within 80 characters, the same every time, distinct per version and run', () => {
    expect(runExecutionName('newsletter', 1, '2026-12-03T16:00:00Z')).toBe('newsletter-v1-2026-12-03T16-00-00Z');
    expect(runExecutionName('newsletter', 1, '2026-12-01T09:00:00')).toBe('newsletter-v1-2026-12-01T09-00-00');
    const long = `j${'x'.repeat(62)}`;
    const names = [1, 2].map((v) => runExecutionName(long, v, '2026-12-03T16:00:00Z'));
    expect(names.every((n) => n.length <= 80 && !/[:\s]/.test(n))).toBe(true);
    expect(new Set([...names, runExecutionName(`${long.slice(0, -1)}y`, 1, '2026-12-03T16:00:00Z')]).size).toBe(3);
  });
});
