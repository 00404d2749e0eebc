/**
 * compileRun(journey) → the ASL of an audience journey's runs (ARCHITECTURE.md decision 7): a
 * pure function, like compileJourney, whose document runs on Step Functions and on the local
 * engine alike. One execution per run, named by the run (run-identity.ts), input `{"runAt"}`:
 *
 *   List → NextGroup ⟲ (WaitGroup → EnterGroup) → Done
 *
 * List writes the member files and returns their groups; for each group in time order the run
 * waits for the group's instant, then a Distributed Map reads its file (JSONL) and hands batches
 * to child executions that enter them. With `ratePerSecond` R a batch is R members, one second of
 * the run, and each child first waits for its second (Pace).
 */
import type { AslDocument, AslState } from '../journey/compile';
import type { Journey } from '../journey/schema';

/** The placeholder of the audience function's ARN (definitionSubstitutions on AWS, an in-process handler locally). */
export const AUDIENCE_PLACEHOLDER = 'AudienceFunctionArn';
/** Members a batch holds without a rate: one Lambda call enters them. */
export const DEFAULT_BATCH = 100;
/**
 * Batches entered at once. 20 batches of 100 keep 2,000 starts in flight, enough to use the
 * StartExecution quota (a bucket of 1,300, 300 a second in the large Regions) and little more.
 */
export const DEFAULT_MAX_CONCURRENCY = 20;

const FUNCTION = `\${${AUDIENCE_PLACEHOLDER}}`;
const jsonata = (expr: string) => `{% ${expr} %}`;

/**
 * The zones EventBridge Scheduler fires runs in (lib/infra/run-schedule.ts): UTC, or for localTime
 * the zone furthest ahead, UTC+14 without daylight saving, where the run's wall time comes first.
 */
export const SCHEDULER_ZONES = { utc: 'UTC', local: 'Etc/GMT-14' } as const;
const LOCAL_AHEAD_MS = 14 * 3_600_000;

/**
 * The run's time. Started by name (the local run starter, an operator) a run is given its runAt;
 * started by EventBridge Scheduler it is given `scheduledTime` (`<aws.scheduler.scheduled-time>`,
 * UTC with seconds), which is the run's instant, or for localTime the instant its wall time comes
 * in UTC+14: runAt is that instant as a UTC instant, or as the wall time UTC+14 shows then, which
 * is exactly what lib/audience/schedule.ts gives the same run.
 */
export function runAtExpression(localTime: boolean): string {
  const picture = localTime ? "'[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01]'" : "'[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01]Z'";
  const ms = localTime
    ? `$toMillis($states.input.scheduledTime) + ${LOCAL_AHEAD_MS}`
    : '$toMillis($states.input.scheduledTime)';
  return `$exists($states.input.runAt) ? $states.input.runAt : $fromMillis(${ms}, ${picture})`;
}

/** List retries what may pass: any failure of the function (it only reads and rewrites the same files). */
const LIST_RETRY = [
  { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, JitterStrategy: 'FULL' },
];

/**
 * A throttled batch tries again soon and often: each attempt enters what the quota lets through,
 * and the batches waiting must keep asking, or tokens the bucket refills go unused. Any other
 * failure (some members failed, the rest entered) is retried with a longer backoff; entry is
 * idempotent, so a retry never enters anyone twice.
 */
const ENTER_RETRY = [
  {
    ErrorEquals: ['ThrottlingException', 'TooManyRequestsException', 'Lambda.TooManyRequestsException'],
    IntervalSeconds: 1,
    MaxAttempts: 10_000,
    BackoffRate: 1.5,
    MaxDelaySeconds: 4,
    JitterStrategy: 'FULL',
  },
  {
    ErrorEquals: ['States.TaskFailed'],
    IntervalSeconds: 2,
    MaxAttempts: 8,
    BackoffRate: 2,
    MaxDelaySeconds: 60,
    JitterStrategy: 'FULL',
  },
];

/** The state machine of an audience journey version's runs. */
export function compileRun(journey: Journey): AslDocument {
  const audience = journey.audience;
  if (!audience) throw new TypeError(`journey ${journey.id} has no audience: it has no runs to compile`);
  const rate = audience.ratePerSecond;
  const runAt = runAtExpression(audience.schedule.localTime === true);
  const enter: AslState = {
    Type: 'Task',
    Resource: FUNCTION,
    Arguments: { op: 'enter', batch: jsonata('$states.input') },
    Retry: ENTER_RETRY,
    End: true,
  };
  const processorStates: Record<string, AslState> = rate
    ? {
        // Past seconds continue at once: a retried or late batch does not wait again.
        Pace: { Type: 'Wait', Timestamp: jsonata('$states.input.Items[0].enterAt'), Next: 'Enter' },
        Enter: enter,
      }
    : { Enter: enter };
  return {
    Comment: `Baton audience runs of ${journey.id} v${journey.version}`,
    QueryLanguage: 'JSONata',
    StartAt: 'List',
    States: {
      List: {
        Type: 'Task',
        Resource: FUNCTION,
        Arguments: { op: 'list', journey: journey.id, version: journey.version, runAt: jsonata(runAt) },
        Retry: LIST_RETRY,
        Assign: {
          runAt: jsonata(runAt),
          bucket: jsonata('$states.result.bucket'),
          groups: jsonata('$states.result.groups'),
          g: 0,
        },
        Output: {},
        Next: 'NextGroup',
      },
      NextGroup: {
        Type: 'Choice',
        Choices: [{ Condition: jsonata('$g < $count($groups)'), Next: 'WaitGroup' }],
        Default: 'Done',
      },
      WaitGroup: { Type: 'Wait', Timestamp: jsonata('$groups[$g].enterAt'), Next: 'EnterGroup' },
      EnterGroup: {
        Type: 'Map',
        ItemReader: {
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig: { InputType: 'JSONL' },
          Arguments: { Bucket: jsonata('$bucket'), Key: jsonata('$groups[$g].key') },
        },
        ItemBatcher: {
          MaxItemsPerBatch: rate ?? DEFAULT_BATCH,
          BatchInput: { journey: journey.id, version: journey.version, runAt: jsonata('$runAt') },
        },
        MaxConcurrency: DEFAULT_MAX_CONCURRENCY,
        // A batch that fails for good fails the run; it is redriven or run again, and entry is
        // idempotent per (journey, customer, runAt), so nobody enters twice and nobody is skipped.
        ToleratedFailurePercentage: 0,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: rate ? 'Pace' : 'Enter',
          States: processorStates,
        },
        // The children's results are counted in the table (the batch records), not carried here.
        Output: {},
        Assign: { g: jsonata('$g + 1') },
        Next: 'NextGroup',
      },
      Done: { Type: 'Succeed' },
    },
  };
}
