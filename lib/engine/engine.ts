/**
 * Baton's local Step Functions (ARCHITECTURE.md decision 2): runs exactly what the compiler emits,
 * durably. Every transition is a conditional checkpoint of the execution item in the table; waits,
 * task-token timeouts and retry delays are due times in an index that a scheduler polls. A process
 * killed at any moment resumes every execution from its last checkpoint; task handlers are
 * idempotent per state visit, so a re-run state repeats no side effect.
 */

import { iso } from '../core/iso-time';
import { KeyedSchedule } from '../core/keyed-schedule';
import type { Clock, Logger, StepFunctionsPort } from '../core/ports';
import { silentLogger } from '../core/ports';
import type { Item, Table } from '../store/port';
import { when } from '../store/port';
import { executionArnOf } from './arns';
import { executionScope } from './context';
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidToken,
  StateError,
  StateMachineDoesNotExist,
  TaskDoesNotExist,
  TaskTimedOut,
} from './errors';
import { History, MAX_HISTORY_EVENTS } from './history';
import {
  checkExecutionName,
  checkTaskFailure,
  MAX_EXECUTION_MS,
  MAX_PAYLOAD_BYTES,
  parsePayload,
  utf8Bytes,
} from './limits';
import type { MapHost, MapProgress, ParentLink } from './map-state';
import { type AslMachine, runState, type Step } from './states';

export { MAX_HISTORY_EVENTS } from './history';
export { MAX_PAYLOAD_BYTES } from './limits';

/** An in-process stand-in for a Lambda function: takes the payload, returns the result. */
export type TaskHandler = (payload: unknown) => Promise<unknown>;

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';
type Phase = 'ready' | 'waiting' | 'task' | 'resume' | 'retry' | 'map';

/** The checkpointed state of one execution. */
export interface Execution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  input: string;
  startedAt: string;
  stoppedAt?: string;
  output?: string;
  error?: string;
  cause?: string;
  state: string;
  stateInput: unknown;
  vars: Record<string, unknown>;
  enteredAt: string;
  phase: Phase;
  dueAt?: number;
  token?: string;
  /** The result of a completed task token, or a task failure to handle. */
  result?: unknown;
  failure?: { error: string; cause: string };
  retryCounts: number[];
  /** When the machine's TimeoutSeconds, or the one-year limit, runs out (ms). */
  deadline?: number;
  transitions: number;
  /** Events in the execution history so far, counted as AWS writes them (history.ts). */
  events?: number;
  /** A Map state waiting for its children (phase 'map'). */
  map?: MapProgress;
  /** A Map's child: the execution whose Map started it. */
  parent?: ParentLink;
  seq: number;
}

/**
 * Executions waiting for a turn past which `room()` holds event processing back. Each holds its
 * checkpoint in memory until its turn (the hand-off below); unbounded, a burst of entries that
 * outruns the engine grew the heap with the backlog (100,000 parked: 441 MB owned, not 238 MB).
 */
export const MAX_QUEUED = 1_000;

const execKey = (arn: string) => `X#${arn}`;
const tokenKey = (token: string) => `TT#${token}`;

export interface EngineOptions {
  table: Table;
  clock: Clock;
  /** Handlers by function ARN (after substitution). */
  handlers: Record<string, TaskHandler>;
  /** Executions advanced at once; 1 makes runs fully deterministic (simulate). */
  concurrency?: number;
  /** Executions queued for a turn past which `room()` waits (default MAX_QUEUED); tests lower it. */
  maxQueued?: number;
  /** History events an execution may record (default 25,000, as on AWS); tests lower it. */
  historyLimit?: number;
  /** Called once when an execution closes (succeeded, failed, timed out, aborted), like EventBridge's status-change events. */
  onClosed?: (ex: Execution) => Promise<void>;
  /** Serves a Map's ItemReader: S3 bucket b, key k is the file `<objectsDir>/b/k`. */
  objectsDir?: string;
  log?: Logger;
}

export class LocalEngine implements StepFunctionsPort {
  private readonly machines = new Map<string, AslMachine>();
  private due: KeyedSchedule | undefined;
  private readonly dueWhileLoading = new Map<string, number | undefined>();
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly running = new Set<string>();
  private readonly again = new Set<string>();
  /**
   * Executions just written and queued, handed to their next advance instead of a read of what
   * was just stored. Held only until that advance (a parked execution is never kept in memory),
   * and dropped by any later checkpoint, so it is always the latest version.
   */
  private readonly written = new Map<string, Execution>();
  private idleWaiters: (() => void)[] = [];
  private roomWaiters: (() => void)[] = [];
  /**
   * Map states this process watches: by parent, the children that closed since it last looked.
   * A parent not in it (after a restart) looks at every running child once.
   */
  private readonly watched = new Map<string, Set<string>>();
  private readonly mapHost: MapHost;
  private readonly log: Logger;
  private failure: unknown;
  /**
   * Counts of what the engine did, for benchmarks and cost figures: `entered` counts each state
   * entered by name (an execution's start state included: what AWS bills as a state transition),
   * `transitions` the moves from one state to the next.
   */
  readonly counters = {
    executions: 0,
    transitions: 0,
    taskCalls: 0,
    checkpoints: 0,
    entered: new Map<string, number>(),
  };

  private countEntered(state: string): void {
    this.counters.entered.set(state, (this.counters.entered.get(state) ?? 0) + 1);
  }

  constructor(private readonly opts: EngineOptions) {
    this.log = opts.log ?? silentLogger;
    this.mapHost = {
      objectsDir: opts.objectsDir,
      register: (arn, machine) => this.register(arn, JSON.stringify(machine)),
      startChild: (p) => this.startChild(p),
      child: (arn) => this.load(arn),
      closedChildren: (arn) => {
        const seen = this.watched.get(arn);
        this.watched.set(arn, new Set());
        return seen;
      },
      endWatch: (arn) => this.watched.delete(arn),
      stopChild: (arn, cause) => this.stopExecution({ executionArn: arn, cause }),
    };
  }

  /**
   * Make a state machine runnable under this ARN (the document after substitution). It is kept in
   * the store too, so executions of a version no longer in the files still run after a restart.
   */
  async register(stateMachineArn: string, definition: string): Promise<void> {
    this.machines.set(stateMachineArn, JSON.parse(definition) as AslMachine);
    await this.opts.table.put({ pk: `SM#${stateMachineArn}`, sk: '_', definition });
  }

  private async machine(arn: string): Promise<AslMachine | undefined> {
    const known = this.machines.get(arn);
    if (known) return known;
    const item = await this.opts.table.get(`SM#${arn}`, '_');
    if (!item) return undefined;
    const machine = JSON.parse(item.definition as string) as AslMachine;
    this.machines.set(arn, machine);
    return machine;
  }

  // ---- Step Functions API -------------------------------------------------------------------

  async startExecution(p: { stateMachineArn: string; name: string; input: string }): Promise<{ executionArn: string }> {
    checkExecutionName(p.name);
    const input = parsePayload('input', p.input);
    const machine = await this.machine(p.stateMachineArn);
    if (!machine) throw new StateMachineDoesNotExist(`no state machine ${p.stateMachineArn}`);
    const ex = this.newExecution(machine, p, input, { vars: {} });
    const { executionArn } = ex;
    const created = await this.create(ex);
    if (!created) {
      // AWS: same name and input while running returns the same execution; otherwise it exists.
      const existing = await this.load(executionArn);
      if (existing && existing.status === 'RUNNING' && existing.input === p.input) return { executionArn };
      throw new ExecutionAlreadyExists(`execution ${p.name} already exists`);
    }
    return { executionArn };
  }

  private newExecution(
    machine: AslMachine,
    p: { stateMachineArn: string; name: string; input: string },
    input: unknown,
    extra: Pick<Execution, 'vars' | 'parent'>,
  ): Execution {
    const now = this.opts.clock.now();
    // A Standard execution lasts at most a year, whatever the machine's TimeoutSeconds says.
    const timeoutMs = Math.min((machine.TimeoutSeconds ?? Number.POSITIVE_INFINITY) * 1000, MAX_EXECUTION_MS);
    return {
      executionArn: executionArnOf(p.stateMachineArn, p.name),
      stateMachineArn: p.stateMachineArn,
      name: p.name,
      status: 'RUNNING',
      input: p.input,
      startedAt: iso(now),
      state: machine.StartAt,
      stateInput: input,
      enteredAt: iso(now),
      phase: 'ready',
      retryCounts: [],
      deadline: now + timeoutMs,
      transitions: 0,
      events: 2, // ExecutionStarted, the first state's StateEntered
      seq: 0,
      ...extra,
    };
  }

  /** Store a new execution unless its name is taken; queue it when it is new. */
  private async create(ex: Execution): Promise<boolean> {
    const created = await this.opts.table.put(this.toItem(ex), { ifAbsent: true });
    if (!created) return false;
    this.written.set(ex.executionArn, ex);
    this.counters.executions++;
    this.countEntered(ex.state);
    this.noteDue(ex, this.opts.clock.now());
    this.kick(ex.executionArn);
    return true;
  }

  /**
   * Start a Map's child. Its name is derived from the Map's visit: one that exists was started by
   * an earlier run of this visit that a crash cut short, and is left as it is (started once).
   */
  private async startChild(p: Parameters<MapHost['startChild']>[0]): Promise<void> {
    const input = JSON.stringify(p.input ?? null);
    const size = utf8Bytes(input);
    if (size > MAX_PAYLOAD_BYTES) {
      throw new StateError(
        'States.DataLimitExceeded',
        `The input of the Map's child ${p.parent.index} has ${size} bytes, more than the ${MAX_PAYLOAD_BYTES} an execution may take: batch fewer items (ItemBatcher).`,
      );
    }
    const machine = await this.machine(p.stateMachineArn);
    if (!machine) throw new StateMachineDoesNotExist(`no state machine ${p.stateMachineArn}`);
    await this.create(this.newExecution(machine, { ...p, input }, p.input, { vars: p.vars, parent: p.parent }));
  }

  async sendTaskSuccess(p: { taskToken: string; output: string }): Promise<void> {
    await this.completeToken(p.taskToken, { result: parsePayload('output', p.output) });
  }

  async sendTaskFailure(p: { taskToken: string; error?: string; cause?: string }): Promise<void> {
    checkTaskFailure(p.error ?? '', p.cause ?? '');
    await this.completeToken(p.taskToken, { failure: { error: p.error ?? '', cause: p.cause ?? '' } });
  }

  async stopExecution(p: { executionArn: string; error?: string; cause?: string }): Promise<void> {
    for (;;) {
      const ex = await this.load(p.executionArn);
      if (!ex) throw new ExecutionDoesNotExist(`no execution ${p.executionArn}`);
      if (ex.status !== 'RUNNING') return;
      const now = this.opts.clock.now();
      const done: Execution = {
        ...ex,
        ...closedChild(ex),
        status: 'ABORTED',
        stoppedAt: iso(now),
        error: p.error,
        cause: p.cause,
        events: eventsOf(ex) + 1, // ExecutionAborted
      };
      const saved = await this.save(ex, { ...done, map: undefined }, now);
      if (saved) {
        if (ex.token) await this.opts.table.delete(tokenKey(ex.token), '_');
        await this.closed(saved, ex);
        return;
      }
    }
  }

  /**
   * Delete everything the engine keeps of an execution — its checkpoint (input, state input,
   * variables: the customer's trigger, context and waitFor events) and its task token — for an
   * erasure. Stop it first: a running one would go on from memory no further than its next save.
   */
  async forgetExecution(executionArn: string): Promise<void> {
    const ex = await this.load(executionArn);
    if (ex) {
      // The token of a task still starting is not saved yet, and it may hold a result already.
      const starting = (executionScope(ex, 0).states.context as { Task: { Token: string } }).Task.Token;
      for (const token of new Set([ex.token, starting])) if (token) await this.opts.table.delete(tokenKey(token), '_');
    }
    await this.opts.table.delete(execKey(executionArn), '_');
    this.written.delete(executionArn);
    if (this.due) this.due.set(executionArn, undefined);
    else this.dueWhileLoading.set(executionArn, undefined);
  }

  /** The checkpointed execution, as DescribeExecution would show it. */
  async describeExecution(executionArn: string): Promise<Execution> {
    const ex = await this.load(executionArn);
    if (!ex) throw new ExecutionDoesNotExist(`no execution ${executionArn}`);
    return ex;
  }

  // ---- Scheduling ---------------------------------------------------------------------------

  /** Queue every execution whose wait, timeout or retry is due (and any left runnable by a crash). */
  async runDue(): Promise<number> {
    const now = this.opts.clock.now();
    const due = (await this.dueIndex()).dueBy(now);
    for (const arn of due) this.kick(arn);
    return due.length;
  }

  /** The earliest due time of any execution, if one is pending. */
  async nextDueAt(): Promise<number | undefined> {
    return (await this.dueIndex()).earliest();
  }

  /**
   * Due times by execution, kept in memory as this engine writes them: the engine is the only
   * writer of executions, so after one read of the executions at start (what a restart resumes
   * from) the map is exact, and the scheduler never re-queries the store.
   */
  private async dueIndex(): Promise<KeyedSchedule> {
    if (!this.due) {
      // From the executions themselves, not the due index: dynalite writes an item and its index
      // entry separately, and a process killed between the two must not lose the execution.
      // Page by page, keeping only due times: executions carry their whole state.
      const now = this.opts.clock.now();
      const read = new Map<string, number>();
      for await (const page of this.opts.table.scanPrefixPages('X#')) {
        for (const i of page) {
          const ex = i.execution as Execution;
          // A Map waiting for its children looks at them once after a restart: some may have closed unseen.
          const at = ex.status === 'RUNNING' && ex.phase === 'map' ? now : dueOf(ex, now);
          if (at !== undefined) read.set(detached(i.executionArn as string), at);
        }
      }
      if (!this.due) {
        // Writes made while the store was read win over what it returned.
        for (const [arn, at] of this.dueWhileLoading) {
          if (at === undefined) read.delete(arn);
          else read.set(arn, at);
        }
        this.dueWhileLoading.clear();
        const due = new KeyedSchedule();
        for (const [arn, at] of read) due.set(arn, at);
        this.due = due;
      }
    }
    return this.due;
  }

  private noteDue(ex: Execution, now: number): void {
    const at = dueOf(ex, now);
    if (!this.due) this.dueWhileLoading.set(ex.executionArn, at);
    else this.due.set(ex.executionArn, at);
  }

  /** Resolves when no execution is being advanced or queued; rejects if one failed unexpectedly. */
  async idle(): Promise<void> {
    if (this.queue.length || this.running.size) await new Promise<void>((r) => this.idleWaiters.push(r));
    if (this.failure) {
      const f = this.failure;
      this.failure = undefined;
      throw f;
    }
  }

  /**
   * Resolves once fewer than `maxQueued` executions wait for a turn. Event processing waits for it
   * before it starts or resumes executions, so a burst outrunning the engine waits in the durable
   * event queue (bounded, 503 past it) instead of as checkpoints in memory. Never awaited inside an
   * execution's task (an audience batch enters its members there): it would wait for its own turn.
   */
  room(): Promise<void> {
    if (this.queue.length < (this.opts.maxQueued ?? MAX_QUEUED)) return Promise.resolve();
    return new Promise<void>((r) => this.roomWaiters.push(r));
  }

  /** How many executions wait for a turn. */
  get queuedCount(): number {
    return this.queue.length;
  }

  private kick(arn: string): void {
    if (this.running.has(arn)) {
      this.again.add(arn);
      return;
    }
    if (this.queued.has(arn)) return;
    this.queued.add(arn);
    this.queue.push(arn);
    this.pump();
  }

  private pump(): void {
    const limit = this.opts.concurrency ?? 8;
    while (this.running.size < limit && this.queue.length) {
      const arn = this.queue.shift()!;
      this.queued.delete(arn);
      if (this.roomWaiters.length && this.queue.length < (this.opts.maxQueued ?? MAX_QUEUED)) {
        const waiters = this.roomWaiters;
        this.roomWaiters = [];
        for (const w of waiters) w();
      }
      this.running.add(arn);
      this.advance(arn)
        .catch((err) => {
          this.log.error('local engine could not advance an execution', { executionArn: arn, error: String(err) });
          this.failure ??= err;
        })
        .finally(() => {
          this.running.delete(arn);
          if (this.again.delete(arn)) this.kick(arn);
          else this.pump();
          if (!this.queue.length && !this.running.size) {
            const waiters = this.idleWaiters;
            this.idleWaiters = [];
            for (const w of waiters) w();
          }
        });
    }
  }

  // ---- Execution ----------------------------------------------------------------------------

  /** Run an execution until it parks, ends, or is not due. */
  private async advance(arn: string): Promise<void> {
    const written = this.written.get(arn);
    this.written.delete(arn);
    let ex = written ?? (await this.load(arn));
    while (ex && ex.status === 'RUNNING') {
      const now = this.opts.clock.now();
      const deadline = deadlineOf(ex);
      if (now >= deadline) {
        // https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html: past a year, States.Timeout.
        const timedOut = this.ended(ex, 'TIMED_OUT', iso(now), {
          error: 'States.Timeout',
          cause:
            deadline >= Date.parse(ex.startedAt) + MAX_EXECUTION_MS
              ? 'the execution ran longer than a year, the most a Standard execution may run'
              : 'the execution ran longer than the state machine TimeoutSeconds',
          events: eventsOf(ex) + 1, // ExecutionTimedOut
        });
        const saved = await this.save(ex, { ...timedOut, dueAt: undefined, token: undefined, map: undefined }, now);
        if (!saved) {
          ex = await this.load(arn);
          continue;
        }
        if (ex.token) await this.opts.table.delete(tokenKey(ex.token), '_');
        await this.closed(saved, ex);
        return;
      }
      if (ex.dueAt !== undefined && ex.phase !== 'ready' && ex.phase !== 'resume' && now < ex.dueAt) return;
      const machine = await this.machine(ex.stateMachineArn);
      if (!machine) throw new StateMachineDoesNotExist(`no state machine ${ex.stateMachineArn}`);
      const history = new History(eventsOf(ex), this.opts.historyLimit ?? MAX_HISTORY_EVENTS);
      const step = await runState(machine.States[ex.state], {
        ex,
        scope: executionScope(ex, now),
        now,
        history,
        invoke: this.invokeTask,
        holdToken: this.holdToken,
        map: this.mapHost,
      });
      const saved = await this.save(ex, this.apply(ex, step, now, history), now);
      if (!saved) {
        // Changed under us (stopped, or a token completed): look again; a Map looks at all its children.
        this.watched.delete(arn);
        ex = await this.load(arn);
        continue;
      }
      if (ex.token && saved.token !== ex.token) await this.opts.table.delete(tokenKey(ex.token), '_');
      const before = ex;
      ex = saved;
      if (saved.status !== 'RUNNING') {
        await this.closed(saved, before);
        return;
      }
      if (step.kind === 'park' && step.token) {
        // The token may have been completed while its task was still starting.
        const ref = await this.opts.table.get(tokenKey(step.token), '_');
        const resumed = ref?.outcome
          ? await this.save(saved, { ...saved, phase: 'resume', dueAt: now, ...(ref.outcome as object) }, now)
          : undefined;
        if (resumed) {
          await this.opts.table.delete(tokenKey(step.token), '_');
          ex = resumed;
          continue;
        }
      }
      if (step.kind === 'park') return;
    }
  }

  /**
   * After an execution closed: tell onClosed; a Map's child wakes its parent; a parent stopped or
   * timed out while its Map waited stops the Map's children, as AWS aborts a Map Run's.
   */
  private async closed(ex: Execution, before: Execution): Promise<void> {
    this.watched.delete(ex.executionArn);
    await this.opts.onClosed?.(ex);
    if (ex.parent) {
      this.watched.get(ex.parent.executionArn)?.add(ex.executionArn);
      this.kick(ex.parent.executionArn);
    }
    if (before.phase === 'map' && before.map && (ex.status === 'ABORTED' || ex.status === 'TIMED_OUT')) {
      const m = before.map;
      for (const [index] of m.running) {
        await this.stopExecution({
          executionArn: executionArnOf(m.processor, `${m.names}-${index}`),
          cause: `the execution of its Map state ended: ${ex.status}`,
        });
      }
    }
  }

  /**
   * What a state run calls, made once: a closure per step would be a new function every step
   * (and, under tsx, a name defined on each).
   */
  private readonly invokeTask = (functionArn: string, payload: unknown) => this.invoke(functionArn, payload);
  private readonly holdToken = async (token: string, executionArn: string) => {
    await this.opts.table.put({ pk: tokenKey(token), sk: '_', executionArn });
  };

  private async invoke(functionArn: string, payload: unknown): Promise<unknown> {
    const handler = this.opts.handlers[functionArn];
    if (!handler) throw new StateError('States.Runtime', `no handler for resource ${functionArn}`);
    this.counters.taskCalls++;
    // The payload is already a copy (states.ts parses it from the text it measured): handlers
    // share no objects with the engine.
    const result = await handler(payload ?? null);
    const text = result === undefined ? 'null' : JSON.stringify(result);
    if (utf8Bytes(text) > MAX_PAYLOAD_BYTES) {
      // As AWS reports a task result over the quota: a task failure named States.DataLimitExceeded.
      throw new StateError(
        'States.DataLimitExceeded',
        `The state/task '${functionArn}' returned a result with a size exceeding the maximum number of bytes service limit.`,
      );
    }
    return JSON.parse(text);
  }

  /** The execution after a step; `history` holds the events the step wrote. */
  private apply(ex: Execution, step: Step, now: number, history: History): Execution {
    const at = iso(now);
    switch (step.kind) {
      case 'next': {
        const failed = this.tooBig(ex, step.input, at, history);
        if (failed) return failed;
        this.counters.transitions++;
        this.countEntered(step.state);
        // One copy of the execution, not a cleared copy copied again: this runs at every transition.
        return {
          ...ex,
          result: undefined,
          failure: undefined,
          dueAt: undefined,
          token: undefined,
          map: undefined,
          state: step.state,
          stateInput: step.input,
          vars: step.vars,
          enteredAt: at,
          phase: 'ready',
          retryCounts: [],
          transitions: ex.transitions + 1,
          events: history.used,
        };
      }
      case 'park':
        return {
          ...ex,
          result: undefined,
          failure: undefined,
          phase: step.phase,
          dueAt: step.dueAt,
          token: step.token,
          map: step.phase === 'map' ? step.map : undefined,
          retryCounts: step.retryCounts ?? ex.retryCounts,
          events: history.used,
        };
      case 'succeed':
        return (
          this.tooBig(ex, step.output, at, history) ??
          this.ended(cleared(ex), 'SUCCEEDED', at, {
            output: JSON.stringify(step.output ?? null),
            events: history.close(),
          })
        );
      case 'fail':
        this.log.warn('local execution failed', { executionArn: ex.executionArn, state: ex.state, error: step.error });
        return this.ended(cleared(ex), 'FAILED', at, {
          error: step.error,
          cause: step.cause,
          events: history.close(),
        });
    }
  }

  /** A state's output (or the execution's) over 256 KiB is terminal, caught by nothing: the failed execution, if so. */
  private tooBig(ex: Execution, output: unknown, iso: string, history: History): Execution | undefined {
    // The state's own input, passed on unchanged (a Choice, a state without Output): measured when
    // it came in (every state input is, and an execution's at its start), so not again.
    if (output === ex.stateInput && output !== undefined) return undefined;
    const size = utf8Bytes(JSON.stringify(output ?? null));
    if (size <= MAX_PAYLOAD_BYTES) return undefined;
    return this.ended(cleared(ex), 'FAILED', iso, {
      error: 'States.DataLimitExceeded',
      cause: `The state/task '${ex.state}' returned a result with a size exceeding the maximum number of bytes service limit (${size} bytes, at most ${MAX_PAYLOAD_BYTES}).`,
      events: history.close(),
    });
  }

  private ended(ex: Execution, status: ExecutionStatus, iso: string, extra: Partial<Execution>): Execution {
    return { ...ex, ...extra, ...closedChild(ex), status, stoppedAt: iso, phase: 'ready' };
  }

  private async completeToken(
    token: string,
    outcome: { result?: unknown; failure?: { error: string; cause: string } },
  ): Promise<void> {
    if (!/^[A-Za-z0-9_-]{1,1024}$/.test(token)) throw new InvalidToken('the task token is malformed');
    for (;;) {
      const ref = await this.opts.table.get(tokenKey(token), '_');
      if (!ref) throw new TaskDoesNotExist('no task is waiting for this token');
      const ex = await this.load(ref.executionArn as string);
      if (ex?.status === 'RUNNING' && ex.phase === 'ready' && ref.outcome === undefined) {
        // Its task is still starting: leave the outcome with the token for the task to pick up.
        const kept = await this.opts.table.update(
          tokenKey(token),
          '_',
          { set: { outcome } },
          { if: when.all(when.itemExists, when.absent('outcome')) },
        );
        if (!kept) continue;
        this.kick(ex.executionArn);
        return;
      }
      if (ex?.status !== 'RUNNING' || ex.token !== token || ex.phase !== 'task') {
        throw new TaskTimedOut('the task of this token is no longer waiting');
      }
      const now = this.opts.clock.now();
      if (ex.dueAt !== undefined && now >= ex.dueAt) throw new TaskTimedOut('the task of this token timed out');
      const next: Execution = { ...ex, phase: 'resume', dueAt: now, ...outcome };
      const saved = await this.save(ex, next, now);
      if (saved) {
        this.written.set(ex.executionArn, saved);
        await this.opts.table.delete(tokenKey(token), '_');
        this.kick(ex.executionArn);
        return;
      }
    }
  }

  // ---- Persistence --------------------------------------------------------------------------

  private async load(arn: string): Promise<Execution | undefined> {
    const item = await this.opts.table.get(execKey(arn), '_');
    if (!item) return undefined;
    // Its ARN goes on to every later checkpoint and into the due schedule: one of its own.
    const ex = item.execution as Execution;
    return { ...ex, executionArn: detached(ex.executionArn) };
  }

  /**
   * Conditional checkpoint: only if nobody else moved the execution since `prev` was read. `next`
   * is always an object its caller has just built for this save, so it takes its `seq` in place
   * rather than being copied once more.
   */
  private async save(prev: Execution, next: Execution, now: number): Promise<Execution | undefined> {
    this.counters.checkpoints++;
    const saved = next;
    saved.seq = prev.seq + 1;
    const ok = await this.opts.table.put(this.toItem(saved), { if: when.equals('execution.seq', prev.seq) });
    if (!ok) return undefined;
    this.noteDue(saved, now);
    // A newer version than any hand-off: the engine is the only writer of its executions.
    this.written.delete(saved.executionArn);
    return saved;
  }

  /** The stored execution. Its due time is derived from it (dueOf) when a restart rebuilds the schedule. */
  private toItem(ex: Execution): Item {
    return { pk: execKey(ex.executionArn), sk: '_', execution: ex, executionArn: ex.executionArn };
  }
}

/** An execution without what only its last step needed (a task's outcome, a timer, a token, a Map's progress). */
function cleared(ex: Execution): Execution {
  return { ...ex, result: undefined, failure: undefined, dueAt: undefined, token: undefined, map: undefined };
}

/**
 * A closed Map child keeps what DescribeExecution shows (input, output, error), not its last
 * state's input and variables: a million-member audience leaves ten thousand closed batches.
 */
function closedChild(ex: Execution): Partial<Execution> {
  return ex.parent ? { stateInput: null, vars: {} } : {};
}

/**
 * The ARN as a string of its own, for the due schedule, which keeps it while the execution is
 * parked: one read from LMDB is cut out of one string of the whole record (msgpackr decodes a
 * record's short strings that way), and kept as it is it kept the execution's checkpoint alive.
 * Made once per read, so the schedule's entries of one execution share it.
 */
function detached(arn: string): string {
  return ` ${arn}`.slice(1);
}

/** When an execution needs the engine next: now if runnable, its timer, or its deadline; never if closed. */
function dueOf(ex: Execution, now: number): number | undefined {
  if (ex.status !== 'RUNNING') return undefined;
  const pending = ex.phase === 'ready' || ex.phase === 'resume' ? now : ex.dueAt;
  return Math.min(pending ?? Number.POSITIVE_INFINITY, deadlineOf(ex));
}

/** When an execution times out: its machine's TimeoutSeconds or a year (also for one stored before deadlines were kept). */
function deadlineOf(ex: Execution): number {
  return ex.deadline ?? Date.parse(ex.startedAt) + MAX_EXECUTION_MS;
}

/** The history events an execution has written (estimated for one stored before they were counted). */
function eventsOf(ex: Execution): number {
  return ex.events ?? 2 + 2 * ex.transitions;
}
