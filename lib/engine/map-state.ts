/**
 * The Map state (https://docs.aws.amazon.com/step-functions/latest/dg/state-map.html), durable
 * like everything the engine runs: every iteration is an execution of its own — of the
 * ItemProcessor, registered as a state machine under a derived ARN — started by a name derived
 * from the Map's visit and the iteration's index, so starting it again after a crash finds it
 * instead of running it twice. At most MaxConcurrency run at once; the Map parks (phase 'map')
 * and is woken as they close, and its checkpoint keeps counts and a read cursor, never the items
 * nor every child's output.
 *
 * DISTRIBUTED: the children are child workflow executions with their own history; they fail the
 * Map with States.ExceedToleratedFailureThreshold past the tolerated failures. INLINE: the
 * iterations read the Map's variables and context, their events count in the Map's history, and
 * the first failed one fails the Map with its error. Either way the Map's result is the array of
 * outputs (read back from the children only when Output or Assign reads it).
 *
 * History, as AWS writes it: MapStateStarted, MapRunStarted (distributed), each inline iteration
 * MapIterationStarted … MapIterationSucceeded/Failed (its states' events between), then
 * MapRunSucceeded or MapRunFailed (distributed), MapStateSucceeded or MapStateFailed, and
 * MapStateExited when it moves on.
 */
import { createHash } from 'node:crypto';
import { executionArnOf, processorArnOf } from './arns';
import type { Execution } from './engine';
import { StateError } from './errors';
import { HistoryLimitReached } from './history';
import { type Cursor, type ItemSource, START } from './item-reader';
import { MAX_PAYLOAD_BYTES, utf8Bytes } from './limits';
import { checkMapDefinition, evalMapStart, evalTolerance, type MapFields } from './map-config';
import { type Batcher, ChildInputs } from './map-inputs';
import {
  type AslMachine,
  type AslState,
  evaluationFailed,
  type StateRun,
  type Step,
  taskFailed,
  taskSucceeded,
} from './states';

/** A running Map, as its execution's checkpoint keeps it while it waits for its children. */
export interface MapProgress {
  /** The ARN the ItemProcessor runs under. */
  processor: string;
  /** Child i is named `<names>-<i>`. */
  names: string;
  inline: boolean;
  maxConcurrency: number;
  tolerance: { count?: number; percentage?: number };
  source: ItemSource;
  maxItems: number;
  batcher?: Batcher;
  /** Where the first item no child has taken starts, and how many items children took. */
  cursor: Cursor;
  items: number;
  /** Whether every item is in a child: `next` is then the number of children. */
  done: boolean;
  next: number;
  /** Children started and not yet seen closed: [index, items in it]. */
  running: [number, number][];
  failed: number;
  failedItems: number;
  /** The first child failure (an INLINE Map fails with it). */
  failure?: { error: string; cause: string; aborted?: boolean };
  /** Whether the Map's Output or Assign reads its result, the array of every child's output. */
  keep: boolean;
}

/** A child execution's tie to the Map that started it. */
export interface ParentLink {
  executionArn: string;
  index: number;
  /** INLINE: the parent's execution, which `$states.context.Execution` shows in the iteration. */
  inline?: { name: string; startedAt: string; input: string; stateMachineArn: string };
}

/** What the Map state asks of the engine. */
export interface MapHost {
  /** Serves S3 reads: Bucket b, Key k is `<objectsDir>/b/k`. */
  objectsDir?: string;
  register(stateMachineArn: string, machine: AslMachine): Promise<void>;
  /** Start a child by name, or find it started (a re-run after a crash); a StateError when its input is too large. */
  startChild(p: {
    stateMachineArn: string;
    name: string;
    input: unknown;
    vars: Record<string, unknown>;
    parent: ParentLink;
  }): Promise<void>;
  child(executionArn: string): Promise<Execution | undefined>;
  /**
   * The ARNs of this execution's children that closed since the last call, or undefined when this
   * process has not watched them yet (every running child is then looked at).
   */
  closedChildren(executionArn: string): Set<string> | undefined;
  endWatch(executionArn: string): void;
  stopChild(executionArn: string, cause: string): Promise<void>;
}

const EXCEEDED = 'States.ExceedToleratedFailureThreshold';
/** A Map whose Output and Assign read only its input and context does not need its result. */
const READS_RESULT = /\$states(?!\.(input|context)\b)/;

/** Run a Map state: start it, or look at its children again once woken. */
export async function runMap(state: AslState & MapFields, run: StateRun): Promise<Step> {
  const { ex } = run;
  if (ex.phase === 'map' && ex.map) return advance(state, run, ex.map);
  return start(state, run);
}

async function start(state: AslState & MapFields, run: StateRun): Promise<Step> {
  const { ex, scope, history } = run;
  const { mode, processor } = checkMapDefinition(state);
  let begin: Awaited<ReturnType<typeof evalMapStart>>;
  try {
    begin = await evalMapStart(state, mode, scope);
  } catch (err) {
    if (!(err instanceof StateError) || err.error === 'States.Runtime') throw err;
    return failed(state, run, evaluationFailed(err, history), 1);
  }
  const inline = mode === 'INLINE';
  history.record(); // MapStateStarted
  const tolerance = inline ? {} : await evalTolerance(state, scope);
  if (!inline) history.record(); // MapRunStarted
  const arn = processorArnOf(ex.stateMachineArn, ex.state);
  await run.map.register(arn, processor);
  const visit = createHash('sha256')
    .update(`${ex.executionArn}#${ex.state}#${ex.enteredAt}#${ex.retryCounts.join(',')}`)
    .digest('base64url');
  return advance(state, run, {
    processor: arn,
    // Whole characters: a cut surrogate pair is no valid name.
    names: `${Array.from(ex.name).slice(0, 40).join('')}-${visit.slice(0, 12)}`,
    inline,
    maxConcurrency: begin.maxConcurrency,
    tolerance,
    source: begin.source,
    maxItems: begin.maxItems,
    batcher: begin.batcher,
    cursor: START,
    items: 0,
    done: false,
    next: 0,
    running: [],
    failed: 0,
    failedItems: 0,
    keep: state.Output === undefined || READS_RESULT.test(JSON.stringify([state.Output, state.Assign ?? null])),
  });
}

/** Count the children that closed, start more up to MaxConcurrency, and finish, fail or wait. */
async function advance(state: AslState & MapFields, run: StateRun, from: MapProgress): Promise<Step> {
  const p: MapProgress = { ...from, running: [] };
  try {
    return await step(state, run, from, p);
  } catch (err) {
    // Whatever this look counted is not saved: the next one looks at every running child.
    run.map.endWatch(run.ex.executionArn);
    // Neither retried nor caught (the history is full, a definition error): the execution fails, its children stop.
    if (err instanceof StateError && (err instanceof HistoryLimitReached || err.error === 'States.Runtime')) {
      await stopAll(run, p, `the Map state ${run.ex.state} failed: ${err.error}`);
    }
    throw err;
  }
}

async function step(state: AslState & MapFields, run: StateRun, from: MapProgress, p: MapProgress): Promise<Step> {
  const { ex, history } = run;
  const host = run.map;
  const closed = host.closedChildren(ex.executionArn);
  for (const [index, items] of from.running) {
    const arn = childArn(p, index);
    const child = closed && !closed.has(arn) ? 'running' : await host.child(arn);
    if (child === 'running' || child?.status === 'RUNNING') {
      p.running.push([index, items]);
      continue;
    }
    // An iteration's events are its child's, from its start (ExecutionStarted) to its end.
    if (p.inline) history.record(child?.events ?? 2);
    if (child?.status === 'SUCCEEDED') continue;
    p.failed++;
    p.failedItems += items;
    const aborted = child?.status === 'ABORTED';
    // A child the Map itself stopped is not why it failed: a real failure seen later wins.
    if (!p.failure || (p.failure.aborted && !aborted)) p.failure = { ...failureOf(child, arn), aborted };
  }
  if (exceeded(p)) return fail(state, run, p);
  if (!p.done && p.running.length < p.maxConcurrency) {
    let inputs: ChildInputs | undefined;
    try {
      inputs = new ChildInputs(p.source, p, {
        maxItems: p.maxItems,
        selector: state.ItemSelector,
        batcher: p.batcher,
        scope: run.scope,
        objectsDir: host.objectsDir,
      });
      while (p.running.length < p.maxConcurrency) {
        const next = await inputs.next();
        if (!next) {
          p.done = true;
          break;
        }
        await host.startChild({
          stateMachineArn: p.processor,
          name: `${p.names}-${p.next}`,
          input: next.input,
          // An inline iteration reads the Map's variables; a distributed child starts with none.
          vars: p.inline ? run.scope.vars : {},
          parent: { executionArn: ex.executionArn, index: p.next, ...(p.inline ? { inline: inlineContext(ex) } : {}) },
        });
        p.running.push([p.next++, next.count]);
        Object.assign(p, inputs.position);
      }
    } catch (err) {
      if (!(err instanceof StateError) || err instanceof HistoryLimitReached || err.error === 'States.Runtime')
        throw err;
      await stopAll(run, p, `the Map state ${ex.state} failed: ${err.error}`);
      return failed(state, run, evaluationFailed(err, history), p.inline ? 1 : 2);
    } finally {
      inputs?.close();
    }
  }
  if (!p.done || p.running.length) return { kind: 'park', phase: 'map', map: p };
  // Every item is read now: a share of failures is measured against them all.
  if (exceeded(p)) return fail(state, run, p);
  host.endWatch(ex.executionArn);
  let result: unknown[] | undefined;
  try {
    result = p.keep ? await results(run, p) : undefined;
  } catch (err) {
    if (!(err instanceof StateError)) throw err;
    return failed(state, run, err, p.inline ? 1 : 2);
  }
  history.record(p.inline ? 1 : 2); // (MapRunSucceeded), MapStateSucceeded
  return taskSucceeded(state, run, result);
}

/** Whether the failures are past what the Map tolerates (AWS: failed items over all items; none tolerated by default). */
function exceeded(p: MapProgress): boolean {
  if (!p.failed) return false;
  if (p.inline) return true;
  const { count, percentage } = p.tolerance;
  if (count === undefined && percentage === undefined) return true;
  if (count !== undefined && p.failedItems > count) return true;
  // The share can only fall while items are still being read, except from 0%.
  return percentage !== undefined && (p.done || percentage === 0) && p.failedItems * 100 > percentage * p.items;
}

async function fail(state: AslState & MapFields, run: StateRun, p: MapProgress): Promise<Step> {
  await stopAll(run, p, `the Map state ${run.ex.state} failed`);
  if (p.inline) {
    const f = p.failure!;
    return failed(state, run, new StateError(f.error, f.cause), 1);
  }
  // AWS's words.
  return failed(state, run, new StateError(EXCEEDED, 'The specified tolerated failure threshold was exceeded'), 2);
}

/** The Map failed: MapRunFailed (distributed) and MapStateFailed, then its Retry or Catch. */
function failed(state: AslState, run: StateRun, err: StateError, events: number): Promise<Step> {
  run.map.endWatch(run.ex.executionArn);
  run.history.record(events);
  return taskFailed(state, run, err.error, err.causeText);
}

async function stopAll(run: StateRun, p: MapProgress, cause: string): Promise<void> {
  for (const [index] of p.running) await run.map.stopChild(childArn(p, index), cause);
}

function childArn(p: MapProgress, index: number): string {
  return executionArnOf(p.processor, `${p.names}-${index}`);
}

function failureOf(child: Execution | undefined, arn: string): { error: string; cause: string } {
  if (!child) return { error: 'States.Runtime', cause: `the Map's child execution ${arn} no longer exists` };
  if (child.status === 'TIMED_OUT') return { error: child.error ?? 'States.Timeout', cause: child.cause ?? '' };
  if (child.status === 'ABORTED')
    return { error: child.error ?? 'States.Runtime', cause: child.cause ?? `${arn} was stopped` };
  return { error: child.error ?? 'States.Runtime', cause: child.cause ?? '' };
}

function inlineContext(ex: Execution): NonNullable<ParentLink['inline']> {
  const outer = ex.parent?.inline;
  // An inline Map inside an inline iteration shows the same execution: the outermost one.
  return outer ?? { name: ex.name, startedAt: ex.startedAt, input: ex.input, stateMachineArn: ex.stateMachineArn };
}

/** The Map's result: every child's output in order (a failed one's error), within the payload limit. */
async function results(run: StateRun, p: MapProgress): Promise<unknown[]> {
  const out: unknown[] = [];
  let size = 2;
  for (let i = 0; i < p.next; i++) {
    const arn = childArn(p, i);
    const child = await run.map.child(arn);
    const failure = child?.status === 'SUCCEEDED' ? undefined : failureOf(child, arn);
    const text = failure ? JSON.stringify({ Error: failure.error, Cause: failure.cause }) : (child?.output ?? 'null');
    size += utf8Bytes(text) + (i ? 1 : 0);
    if (size > MAX_PAYLOAD_BYTES) {
      throw new StateError(
        'States.DataLimitExceeded',
        `The Map state '${run.ex.state}' has a result (every child's output) of more than the ${MAX_PAYLOAD_BYTES} bytes a state may return; read less of it in Output, or write results elsewhere.`,
      );
    }
    out.push(JSON.parse(text));
  }
  return out;
}
