/** The end of an instance reached inside the state machine: an end step, or a failed step. */
import { endInstance } from './instances';
import type { Deps } from './ports';
import type { FinishInput } from './task-input';

export async function finish(
  deps: Pick<Deps, 'table' | 'clock' | 'onTimeline' | 'log'>,
  input: FinishInput,
): Promise<{ ended: boolean }> {
  if (input.reason === 'failed') {
    deps.log.warn('journey step failed', {
      journey: input.journey,
      instance: input.instance,
      step: input.step,
      error: input.error,
    });
  }
  const ended = await endInstance(deps, input.customerId, input.journey, input.instance, input.reason, input.step);
  return { ended };
}
