/** Send: one visit of a send step, invoked by the journey state machine. */
import { lambdaHandler } from '../lib/aws/handler';
import { powertoolsLogger } from '../lib/aws/logger';
import { lambdaDeps } from '../lib/aws/runtime';
import { send } from '../lib/core/send';
import type { SendInput, SendOutput } from '../lib/core/task-input';

/** Errors are thrown to the state machine, whose Retry and Catch match on their names. */
export const handler = lambdaHandler(async (input: SendInput): Promise<SendOutput> => {
  powertoolsLogger.appendKeys({ journey: input.journey, step: input.step, instance: input.instance });
  return send(lambdaDeps('send'), input);
});
