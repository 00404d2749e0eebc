/** The SFN port passes calls through and keeps the SDK's error names, on which the use cases branch. */
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidToken,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { sfnPort } from '../../lib/aws/sfn';

const sfnMock = mockClient(SFNClient);
const port = sfnPort(new SFNClient({ region: 'us-east-1' }));
const SM = 'arn:aws:states:us-east-1:123456789012:stateMachine:cart';
const meta = { $metadata: {}, message: 'from the service' };

beforeEach(() => sfnMock.reset());

test('startExecution sends the name and input and returns the execution ARN', async () => {
  sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${SM}:i-1`, startDate: new Date() });
  await expect(port.startExecution({ stateMachineArn: SM, name: 'i-1', input: '{}' })).resolves.toEqual({
    executionArn: `${SM}:i-1`,
  });
  expect(sfnMock.commandCalls(StartExecutionCommand)[0].args[0].input).toEqual({
    stateMachineArn: SM,
    name: 'i-1',
    input: '{}',
  });
});

test('sendTaskSuccess and stopExecution pass their arguments through', async () => {
  sfnMock.on(SendTaskSuccessCommand).resolves({});
  sfnMock.on(StopExecutionCommand).resolves({ stopDate: new Date() });
  await port.sendTaskSuccess({ taskToken: 'tok', output: '{"a":1}' });
  await port.stopExecution({ executionArn: `${SM}:i-1`, error: 'Baton.Goal', cause: 'goal reached' });
  expect(sfnMock.commandCalls(SendTaskSuccessCommand)[0].args[0].input).toEqual({
    taskToken: 'tok',
    output: '{"a":1}',
  });
  expect(sfnMock.commandCalls(StopExecutionCommand)[0].args[0].input).toEqual({
    executionArn: `${SM}:i-1`,
    error: 'Baton.Goal',
    cause: 'goal reached',
  });
});

test('ExecutionAlreadyExists keeps its name', async () => {
  sfnMock.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists(meta));
  await expect(port.startExecution({ stateMachineArn: SM, name: 'i-1', input: '{}' })).rejects.toMatchObject({
    name: 'ExecutionAlreadyExists',
  });
});

test.each([
  ['TaskDoesNotExist', new TaskDoesNotExist(meta)],
  ['TaskTimedOut', new TaskTimedOut(meta)],
  ['InvalidToken', new InvalidToken(meta)],
])('a dead task token gives %s', async (name, error) => {
  sfnMock.on(SendTaskSuccessCommand).rejects(error);
  await expect(port.sendTaskSuccess({ taskToken: 'tok', output: '{}' })).rejects.toMatchObject({ name });
});

test('ExecutionDoesNotExist keeps its name', async () => {
  sfnMock.on(StopExecutionCommand).rejects(new ExecutionDoesNotExist(meta));
  await expect(port.stopExecution({ executionArn: `${SM}:i-1` })).rejects.toMatchObject({
    name: 'ExecutionDoesNotExist',
  });
});
