/**
 * What one state does when the engine runs it: the interpreter of the states the compiler emits
 * (Pass, Wait, Choice, Succeed, Fail, Task), with AWS's order of evaluation and error names. The
 * engine (engine.ts) makes the outcome durable; nothing here writes an execution.
 *
 * A Task runs as on AWS: Arguments (and TimeoutSeconds) are evaluated before the task is called,
 * Output and Assign after it returned. An expression failing before the call is the state's error,
 * retried and caught like a task failure. One failing after a task succeeded is caught, never
 * retried: a retry would call a task that already ran.
 */
import type { Execution } from './engine';
import { StateError } from './errors';
import { type History, HistoryLimitReached } from './history';
import {
  evalAssign,
  evalField,
  evalTyped,
  expressionOf,
  QUERY_EVALUATION_ERROR,
  queryError,
  type Scope,
} from './jsonata-fields';
import { MAX_PAYLOAD_BYTES, utf8Bytes } from './limits';
import type { MapFields } from './map-config';
import { type MapHost, type MapProgress, runMap } from './map-state';
import { type Catcher, findCatcher, findRetrier, type Retrier, retryDelayMs } from './retry';
import { parseWaitTimestamp, TIMESTAMP_FORM } from './timestamp';

export interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Resource?: string;
  Arguments?: unknown;
  Output?: unknown;
  Assign?: unknown;
  Seconds?: unknown;
  Timestamp?: unknown;
  TimeoutSeconds?: unknown;
  Retry?: Retrier[];
  Catch?: Catcher[];
  Choices?: { Condition: string; Next: string; Assign?: unknown; Output?: unknown }[];
  Default?: string;
  Error?: string;
  Cause?: string;
}

export interface AslMachine {
  QueryLanguage?: string;
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, AslState>;
}

/** What running one state decided. */
export type Step =
  | { kind: 'next'; state: string; input: unknown; vars: Record<string, unknown> }
  | { kind: 'succeed'; output: unknown }
  | { kind: 'fail'; error: string; cause: string }
  | { kind: 'park'; phase: 'waiting' | 'task' | 'retry'; dueAt: number; token?: string; retryCounts?: number[] }
  /** A Map waiting for its children: woken when one closes, not by a timer. */
  | { kind: 'park'; phase: 'map'; dueAt?: undefined; map: MapProgress; token?: undefined; retryCounts?: undefined };

/** One run of one state, and what it may call. */
export interface StateRun {
  ex: Execution;
  scope: Scope;
  now: number;
  /** The execution's history; each event the state writes is recorded in it. */
  history: History;
  /**
   * Call a task's function with its payload (a copy of the state's data, which the handler may
   * keep or change); a StateError when there is none.
   */
  invoke(functionArn: string, payload: unknown): Promise<unknown>;
  /** Keep a task token (of this execution) before its task is called, so a completion racing the call finds it. */
  holdToken(token: string, executionArn: string): Promise<void>;
  /** What a Map state runs its iterations with. */
  map: MapHost;
}

const WAIT_FOR_TOKEN = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
/** Seconds and TimeoutSeconds take integers up to this (https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html). */
const MAX_SECONDS = 99_999_999;

/** Run the execution's current state. */
export async function runState(state: AslState | undefined, run: StateRun): Promise<Step> {
  const { ex, scope } = run;
  if (!state) return { kind: 'fail', error: 'States.Runtime', cause: `no state named ${ex.state}` };
  try {
    switch (state.Type) {
      case 'Pass':
        return await leave(state, run, scope, await output(state, scope, ex.stateInput));
      case 'Wait':
        if (ex.phase === 'ready') return { kind: 'park', phase: 'waiting', dueAt: await waitUntil(state, run) };
        return await leave(state, run, scope, await output(state, scope, ex.stateInput));
      case 'Choice':
        return await choose(state, run);
      case 'Succeed': {
        const out = await output(state, scope, ex.stateInput);
        run.history.record(); // SucceedStateExited
        return { kind: 'succeed', output: out };
      }
      case 'Fail':
        return {
          kind: 'fail',
          error:
            state.Error === undefined ? 'States.Fail' : String(await evalTyped(state.Error, scope, 'Error', 'string')),
          cause: state.Cause === undefined ? '' : String(await evalTyped(state.Cause, scope, 'Cause', 'string')),
        };
      case 'Task':
        return await task(state, run);
      case 'Map':
        return await runMap(state as AslState & MapFields, run);
      default:
        return {
          kind: 'fail',
          error: 'States.Runtime',
          cause: `state type ${state.Type} is not supported by the local engine`,
        };
    }
  } catch (err) {
    // Outside a Task's Retry and Catch: the error ends the execution.
    if (err instanceof StateError) {
      const e = evaluationFailed(err, run.history);
      return { kind: 'fail', error: e.error, cause: e.causeText };
    }
    throw err;
  }
}

/** A failed expression writes an EvaluationFailed event; at the history limit, the limit's error wins. */
export function evaluationFailed(err: StateError, history: History): StateError {
  if (err.error !== QUERY_EVALUATION_ERROR) return err;
  try {
    history.record();
    return err;
  } catch (limit) {
    if (limit instanceof HistoryLimitReached) return limit;
    throw limit;
  }
}

async function task(state: AslState, run: StateRun): Promise<Step> {
  const { ex, scope, history } = run;
  switch (ex.phase) {
    case 'task': // the task token's time ran out
      history.record(); // TaskTimedOut
      return taskFailed(state, run, 'States.Timeout', 'the task did not report back in time');
    case 'resume':
      history.record(); // TaskSucceeded or TaskFailed
      if (ex.failure) return taskFailed(state, run, ex.failure.error, ex.failure.cause);
      return taskSucceeded(state, run, ex.result);
    default:
      break;
  }
  const resource = state.Resource ?? '';
  let args: unknown;
  let timeoutSeconds = MAX_SECONDS;
  try {
    // Before the task is scheduled: what it is called with, and how long it may take.
    args = await evalField(state.Arguments, scope, 'Arguments');
    if (resource === WAIT_FOR_TOKEN && state.TimeoutSeconds !== undefined)
      timeoutSeconds = await seconds(state.TimeoutSeconds, scope, 'TimeoutSeconds', 1);
    const text = JSON.stringify(args ?? null);
    const size = utf8Bytes(text);
    if (size > MAX_PAYLOAD_BYTES) {
      throw new StateError(
        'States.DataLimitExceeded',
        `The state/task '${ex.state}' has an input of ${size} bytes, more than the ${MAX_PAYLOAD_BYTES} bytes a state may take.`,
      );
    }
    // What the task is called with, as if it crossed the wire: a copy that shares nothing with the
    // execution, parsed from the text just measured rather than serialized a second time.
    args = JSON.parse(text);
    history.record(2); // TaskScheduled, TaskStarted
  } catch (err) {
    if (err instanceof StateError && !(err instanceof HistoryLimitReached)) {
      const e = evaluationFailed(err, history);
      return taskFailed(state, run, e.error, e.causeText);
    }
    throw err;
  }
  if (resource === WAIT_FOR_TOKEN) {
    const token = (scope.states.context as { Task: { Token: string } }).Task.Token;
    const { FunctionName, Payload } = args as { FunctionName: string; Payload: unknown };
    await run.holdToken(token, ex.executionArn);
    const failed = await run.invoke(FunctionName, Payload).then(
      () => undefined,
      (err: unknown) => err,
    );
    if (failed) return handlerFailed(state, run, failed);
    history.record(); // TaskSubmitted
    return { kind: 'park', phase: 'task', dueAt: run.now + timeoutSeconds * 1000, token };
  }
  let result: unknown;
  try {
    if (resource === LAMBDA_INVOKE) {
      const { FunctionName, Payload } = args as { FunctionName: string; Payload: unknown };
      result = { StatusCode: 200, Payload: await run.invoke(FunctionName, Payload) };
    } else {
      result = await run.invoke(resource, args);
    }
  } catch (err) {
    return handlerFailed(state, run, err);
  }
  history.record(); // TaskSucceeded
  return taskSucceeded(state, run, result);
}

function handlerFailed(state: AslState, run: StateRun, err: unknown): Promise<Step> {
  run.history.record(); // TaskFailed
  if (err instanceof StateError) return taskFailed(state, run, err.error, err.causeText);
  const e = err as Error;
  const cause = JSON.stringify({ errorMessage: e?.message ?? String(err), errorType: e?.name ?? 'Error' });
  return taskFailed(state, run, e?.name || 'Error', cause);
}

/** A task (or Map) produced its result: Output and Assign, then on; their failure is caught, never retried. */
export async function taskSucceeded(state: AslState, run: StateRun, result: unknown): Promise<Step> {
  const withResult: Scope = { ...run.scope, states: { ...run.scope.states, result } };
  try {
    const out = state.Output === undefined ? result : await evalField(state.Output, withResult, 'Output');
    return await leave(state, run, withResult, out);
  } catch (err) {
    // The task ran: its Output or Assign failing is caught, but a retry would run the task again.
    if (err instanceof StateError && !(err instanceof HistoryLimitReached)) {
      const e = evaluationFailed(err, run.history);
      return caught(state, run, e.error, e.causeText);
    }
    throw err;
  }
}

/** A task (or Map) failed: its first matching retrier with attempts left runs it again later, else Catch. */
export async function taskFailed(state: AslState, run: StateRun, error: string, cause: string): Promise<Step> {
  const { ex } = run;
  const retry = findRetrier(state.Retry, error, ex.retryCounts);
  if (retry) {
    // Dense, so that storing it never drops a slot (DynamoDB lists have no holes).
    const counts = (state.Retry ?? []).map((_, i) => ex.retryCounts[i] ?? 0);
    const count = counts[retry.index] ?? 0;
    counts[retry.index] = count + 1;
    const delay = retryDelayMs(retry.retrier, count, `${ex.executionArn}#${ex.state}#${ex.enteredAt}`);
    return { kind: 'park', phase: 'retry', dueAt: run.now + delay, retryCounts: counts };
  }
  return caught(state, run, error, cause);
}

/** The first matching catcher takes the error to its state; none ends the execution. */
async function caught(state: AslState, run: StateRun, error: string, cause: string): Promise<Step> {
  const catcher = findCatcher(state.Catch, error);
  if (!catcher) return { kind: 'fail', error, cause };
  const at = `Catch[${(state.Catch ?? []).indexOf(catcher)}]`;
  const errorOutput = { Error: error, Cause: cause };
  const withError: Scope = { ...run.scope, states: { ...run.scope.states, errorOutput } };
  run.history.record(); // TaskStateExited
  // A catcher's own expressions failing is not caught again: the execution fails.
  const input = catcher.Output === undefined ? errorOutput : await evalField(catcher.Output, withError, `${at}/Output`);
  const vars = await evalAssign(catcher.Assign, withError, `${at}/Assign`);
  run.history.record(); // the next state's StateEntered
  return { kind: 'next', state: catcher.Next, input, vars };
}

async function choose(state: AslState, run: StateRun): Promise<Step> {
  const { ex, scope } = run;
  for (const [i, rule] of (state.Choices ?? []).entries()) {
    if ((await evalTyped(rule.Condition, scope, `Choices[${i}]/Condition`, 'boolean')) === true) {
      const vars = await evalAssign(
        { ...(state.Assign as object), ...(rule.Assign as object) },
        scope,
        `Choices[${i}]/Assign`,
      );
      const out = rule.Output ?? state.Output;
      const field = rule.Output === undefined ? 'Output' : `Choices[${i}]/Output`;
      const input = out === undefined ? ex.stateInput : await evalField(out, scope, field);
      run.history.record(2); // ChoiceStateExited, the next state's StateEntered
      return { kind: 'next', state: rule.Next, input, vars };
    }
  }
  if (state.Default === undefined)
    return { kind: 'fail', error: 'States.NoChoiceMatched', cause: `no choice of ${ex.state} matched` };
  const vars = await evalAssign(state.Assign, scope);
  const input = await output(state, scope, ex.stateInput);
  run.history.record(2);
  return { kind: 'next', state: state.Default, input, vars };
}

/** A state's Output, or its input when it has none. */
async function output(state: AslState, scope: Scope, input: unknown): Promise<unknown> {
  return state.Output === undefined ? input : evalField(state.Output, scope, 'Output');
}

async function leave(state: AslState, run: StateRun, scope: Scope, out: unknown): Promise<Step> {
  const vars = await evalAssign(state.Assign, scope);
  if (state.End || state.Next === undefined) {
    run.history.record(); // <Type>StateExited
    return { kind: 'succeed', output: out };
  }
  run.history.record(2); // <Type>StateExited, the next state's StateEntered
  return { kind: 'next', state: state.Next, input: out, vars };
}

/** When a Wait ends: `Seconds` from now, or its `Timestamp` (never earlier than now). */
async function waitUntil(state: AslState, run: StateRun): Promise<number> {
  if (state.Seconds !== undefined) return run.now + (await seconds(state.Seconds, run.scope, 'Seconds', 0)) * 1000;
  const ts = String(await evalTyped(state.Timestamp, run.scope, 'Timestamp', 'string'));
  const at = parseWaitTimestamp(ts);
  if (at === undefined) {
    const what = `returned ${JSON.stringify(ts)}, which is not ${TIMESTAMP_FORM}.`;
    const expr = expressionOf(state.Timestamp);
    throw expr === undefined
      ? new StateError('States.Runtime', `the Timestamp ${JSON.stringify(ts)} is not ${TIMESTAMP_FORM}`)
      : queryError(expr, 'Timestamp', what);
  }
  return Math.max(run.now, at);
}

/** A whole number of seconds from `min` to 99,999,999, as Seconds and TimeoutSeconds take. */
async function seconds(value: unknown, scope: Scope, field: string, min: number): Promise<number> {
  const n = (await evalTyped(value, scope, field, 'number')) as number;
  if (Number.isInteger(n) && n >= min && n <= MAX_SECONDS) return n;
  const expr = expressionOf(value);
  const allowed = `an integer from ${min} to ${MAX_SECONDS}`;
  throw expr === undefined
    ? new StateError('States.Runtime', `the field '${field}' is ${n}, not ${allowed}`)
    : queryError(expr, field, `returned ${n}, which is not ${allowed}.`);
}
