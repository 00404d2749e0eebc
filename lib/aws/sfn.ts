/**
 * The StepFunctionsPort over AWS Step Functions. SDK errors pass through untouched: the use cases
 * branch on `err.name` (ExecutionAlreadyExists, TaskDoesNotExist, TaskTimedOut, InvalidToken,
 * ExecutionDoesNotExist), which the SDK's exception classes carry.
 */
import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import type { StepFunctionsPort } from '../core/ports';
import { traced } from './tracer';

let defaultClient: SFNClient | undefined;

/** The process-wide client, built on first use (region and credentials from the Lambda environment). */
export function defaultSfnClient(): SFNClient {
  defaultClient ??= traced(new SFNClient({}));
  return defaultClient;
}

/** A StepFunctionsPort backed by `client`. */
export function sfnPort(client: SFNClient = defaultSfnClient()): StepFunctionsPort {
  return {
    async startExecution({ stateMachineArn, name, input }) {
      const out = await client.send(new StartExecutionCommand({ stateMachineArn, name, input }));
      if (!out.executionArn) throw new Error(`StartExecution of ${name} returned no executionArn`);
      return { executionArn: out.executionArn };
    },
    async sendTaskSuccess({ taskToken, output }) {
      await client.send(new SendTaskSuccessCommand({ taskToken, output }));
    },
    async stopExecution({ executionArn, error, cause }) {
      await client.send(new StopExecutionCommand({ executionArn, error, cause }));
    },
  };
}

/** The sfn port of the functions that call Step Functions (see ROLE_PORTS in runtime.ts). */
export function awsSfn(clients: { sfn?: SFNClient }): StepFunctionsPort {
  return sfnPort(clients.sfn);
}
