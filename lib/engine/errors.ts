/**
 * Errors with the names AWS uses: States.* for state failures (Retry/Catch match on them) and the
 * Step Functions API exception names, which callers test with `err.name` as for the AWS SDK.
 */

/** A state failed with an ASL error name (States.Timeout, States.TaskFailed, a handler's error name...). */
export class StateError extends Error {
  constructor(
    readonly error: string,
    readonly causeText: string,
  ) {
    super(`${error}: ${causeText}`);
  }
  override readonly name = 'Baton.StateError';
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
