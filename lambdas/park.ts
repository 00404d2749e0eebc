/** Park: store a waitFor step's task token (invoked with .waitForTaskToken; the result is ignored). */
import { lambdaHandler } from '../lib/aws/handler';
import { powertoolsLogger } from '../lib/aws/logger';
import { lambdaDeps } from '../lib/aws/runtime';
import { park } from '../lib/core/park';
import type { ParkInput } from '../lib/core/task-input';

/** The token stays out of the logs: whoever holds it can resume the instance. */
export const handler = lambdaHandler(async (input: ParkInput): Promise<{ parked: true }> => {
  powertoolsLogger.appendKeys({ journey: input.journey, step: input.step, instance: input.instance });
  return park(lambdaDeps('park', {}), input);
});
