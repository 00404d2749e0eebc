/**
 * Errors with the names AWS uses: States.* for state failures (Retry/Catch match on them) and the
 * Step Functions API exception names, which callers test with `err.name` as for the AWS SDK.
 */

/** A state failed with an ASL error name (States.Timeout, States.TaskFailed, a handler's error name...). */
export class StateError extends Error {
  constructor(
    readonly error: string,
    readonly causeText: string,
    options?: { cause?: unknown },
  ) {
    super(`${error}: ${causeText}`, options);
  }
  override readonly name: string = 'Baton.StateError';
}

function apiError(name: string) {
  return class extends Error {
    override readonly name = name;
  };
}

export const ExecutionAlreadyExists = apiError('ExecutionAlreadyExists');
export const ExecutionDoesNotExist = apiError('ExecutionDoesNotExist');
export const StateMachineDoesNotExist = apiError('StateMachineDoesNotExist');
export const TaskDoesNotExist = apiError('TaskDoesNotExist');
export const TaskTimedOut = apiError('TaskTimedOut');
export const InvalidToken = apiError('InvalidToken');
export const InvalidDefinition = apiError('InvalidDefinition');
/** StartExecution: the name has a character Step Functions forbids. */
export const InvalidName = apiError('InvalidName');
/** StartExecution: the input is not JSON. */
export const InvalidExecutionInput = apiError('InvalidExecutionInput');
/** SendTaskSuccess: the output is not JSON. */
export const InvalidOutput = apiError('InvalidOutput');
/** A request field breaks the API model's constraints (a length), as AWS's request validation answers. */
export const ValidationException = apiError('ValidationException');
