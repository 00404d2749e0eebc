/**
 * Closed: EventBridge's "Step Functions Execution Status Change" for a journey execution that
 * failed or timed out (maxDuration) outside its end step: end the instance, free its entry lock.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { lambdaHandler } from '../lib/aws/handler';
import { powertoolsLogger } from '../lib/aws/logger';
import { lambdaDeps } from '../lib/aws/runtime';
import { executionClosed } from '../lib/core/closed';

/** The fields of the event's detail this function reads (AWS sends more). */
export interface ExecutionStatusChange {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: string;
  input: string | null;
}

/** Errors are thrown so that Lambda and EventBridge retry, then dead-letter, the event. */
export const handler = lambdaHandler(
  async (event: EventBridgeEvent<'Step Functions Execution Status Change', ExecutionStatusChange>) => {
    const { stateMachineArn, name, status, input } = event.detail;
    powertoolsLogger.appendKeys({ instance: name, status });
    // Input is null when it exceeded what the event can carry; the instance then stays as it is.
    const deps = lambdaDeps('closed', {});
    const ended = await executionClosed(deps, { stateMachineArn, name, status, input: input ?? '' });
    return { ended };
  },
);
