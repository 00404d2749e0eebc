/**
 * The execution history, counted as AWS writes it (the engine keeps the count, not the events).
 * Step Functions fails an execution whose history reaches 25,000 events, so a loop lives as long
 * locally as on AWS only if each state adds what it adds there:
 *
 * - ExecutionStarted; then per state entered `<Type>StateEntered`, and `<Type>StateExited` when it
 *   moves on (a Fail state, or a state whose error ends the execution, never exits);
 * - a Task attempt: TaskScheduled, TaskStarted, then TaskSucceeded, TaskFailed or TaskTimedOut
 *   (a direct Lambda ARN writes LambdaFunctionScheduled/Started/Succeeded, as many), plus
 *   TaskSubmitted once a `.waitForTaskToken` task has handed out its token; a retry repeats the
 *   attempt without entering the state again;
 * - a Map (map-state.ts): MapStateStarted (again on each retry), and for a distributed one
 *   MapRunStarted then MapRunSucceeded or MapRunFailed (its children's events are in their own
 *   histories); each inline iteration MapIterationStarted, its states' events and
 *   MapIterationSucceeded, Failed or Aborted — counted when the iteration closes, as its child
 *   execution's own count; then MapStateSucceeded or MapStateFailed, and MapStateExited when it
 *   moves on (AWS's histories, as LocalStack's AWS-validated snapshots recorded them);
 * - EvaluationFailed when a JSONata expression fails;
 * - the closing ExecutionSucceeded, ExecutionFailed, ExecutionTimedOut or ExecutionAborted.
 *
 * At the limit the execution fails with States.Runtime, "The execution reached the maximum number
 * of history events (25000).": the closing ExecutionFailed is event 25,000 itself, so 24,999 is
 * the last event a state wrote. Event types: the HistoryEventType list of the Step Functions API
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html); the quota:
 * https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
 */
import { StateError } from './errors';

/** The most events an execution history may hold, as on AWS. */
export const MAX_HISTORY_EVENTS = 25_000;

/** The execution reached its history limit: not retriable, not catchable (States.Runtime). */
export class HistoryLimitReached extends StateError {
  constructor(limit: number) {
    super('States.Runtime', `The execution reached the maximum number of history events (${limit}).`);
  }
  override readonly name = 'Baton.HistoryLimitReached';
}

/** The events of one execution while a state runs; spent one by one so the limit falls where AWS's does. */
export class History {
  constructor(
    public used: number,
    private readonly limit: number,
  ) {}

  /**
   * Record `n` events a state writes. The last slot is kept for the closing event: once the
   * history is full this throws, and the state does nothing more (a task is never called).
   */
  record(n = 1): void {
    for (let i = 0; i < n; i++) {
      if (this.used + 1 >= this.limit) throw new HistoryLimitReached(this.limit);
      this.used++;
    }
  }

  /** The closing event (ExecutionSucceeded, Failed, TimedOut, Aborted): it always fits. */
  close(): number {
    return Math.min(this.used + 1, this.limit);
  }
}
