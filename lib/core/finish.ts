/** The end of an instance reached inside the state machine: an end step, or a failed step. */
import { countVisitsWith } from '../results/visits';
import { failureText } from './failure';
import { endInstance } from './instances';
import type { Deps } from './ports';
import type { FinishInput } from './task-input';

/** End the instance for its end step, holdout or failed step; a failed one's line says why. */
export async function finish(
  deps: Pick<Deps, 'table' | 'clock' | 'onTimeline' | 'log'>,
  input: FinishInput,
): Promise<{ ended: boolean }> {
  const error = input.reason === 'failed' ? failureText(input.error, input.cause) : undefined;
  if (error) {
    deps.log.warn('journey step failed', { journey: input.journey, instance: input.instance, step: input.step, error });
  }
  // What the call passed is counted before the exit line, in the same write as the end when it can be.
  const ended = await endInstance(deps, input.customerId, input.journey, input.instance, input.reason, {
    step: input.step,
    error,
    together: (write) => countVisitsWith(deps, input, write),
  });
  return { ended };
}
