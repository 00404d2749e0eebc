/** Step: small operations on Baton's own data (evaluate, update, localTime, note, finish). */
import { lambdaHandler } from '../lib/aws/handler';
import { powertoolsLogger } from '../lib/aws/logger';
import { lambdaDeps } from '../lib/aws/runtime';
import { runStep } from '../lib/core/step';
import type { StepInput } from '../lib/core/task-input';

/** Each operation is idempotent, so the state machine's Retry may repeat it. */
export const handler = lambdaHandler(async (input: StepInput): Promise<unknown> => {
  powertoolsLogger.appendKeys({ journey: input.journey, step: input.step, instance: input.instance, op: input.op });
  return runStep(lambdaDeps('step', {}), input);
});
