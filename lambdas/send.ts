/** Send: one visit of a send step, invoked by the journey state machine. */
import { lambdaHandler } from '../lib/aws/handler';
import { powertoolsLogger } from '../lib/aws/logger';
import { countMetric } from '../lib/aws/metrics';
import { lambdaDeps } from '../lib/aws/runtime';
import { awsSenders } from '../lib/aws/senders';
import { send } from '../lib/core/send';
import type { SendInput, SendOutput } from '../lib/core/task-input';

/** Errors are thrown to the state machine, whose Retry and Catch match on their names. */
export const handler = lambdaHandler(async (input: SendInput): Promise<SendOutput> => {
  powertoolsLogger.appendKeys({ journey: input.journey, step: input.step, instance: input.instance });
  const out = await send(lambdaDeps('send', { senders: awsSenders }), input);
  // A send that did not go out (refused, rejected, or unknown after a lost answer) is alarmed on.
  if (out.outcome === 'failed') countMetric('SendFailed', { reason: out.reason });
  return out;
});
