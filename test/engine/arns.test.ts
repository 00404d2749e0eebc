/** Execution ARNs as AWS forms them: a version or alias qualifier on the machine is not part of them. */
import { executionArnOf } from '../../lib/engine/arns';

test.each([
  [
    'arn:aws:states:us-east-1:123456789012:stateMachine:Cart',
    'arn:aws:states:us-east-1:123456789012:execution:Cart:i-1',
  ],
  [
    'arn:aws:states:us-east-1:123456789012:stateMachine:Cart:live',
    'arn:aws:states:us-east-1:123456789012:execution:Cart:i-1',
  ],
  [
    'arn:aws:states:local:000000000000:stateMachine:baton-cart:3',
    'arn:aws:states:local:000000000000:execution:baton-cart:i-1',
  ],
])('%s → %s', (machine, execution) => {
  expect(executionArnOf(machine, 'i-1')).toBe(execution);
});
