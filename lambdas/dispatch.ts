/** Dispatch: actions and hand-offs, the calls to systems outside Baton. */
import { awsDestinations } from '../lib/aws/destinations';
import { lambdaHandler } from '../lib/aws/handler';
import { powertoolsLogger } from '../lib/aws/logger';
import { lambdaDeps } from '../lib/aws/runtime';
import { runDispatch } from '../lib/core/dispatch';
import type { DispatchInput } from '../lib/core/task-input';

/** Errors keep their names (Baton.ActionFailed is retried, Baton.ActionRejected goes to onError). */
export const handler = lambdaHandler(async (input: DispatchInput): Promise<unknown> => {
  powertoolsLogger.appendKeys({ journey: input.journey, step: input.step, instance: input.instance, op: input.op });
  return runDispatch(lambdaDeps('dispatch', { destinations: awsDestinations }), input);
});
