/** Execution ARNs as AWS forms them: a version or alias qualifier on the machine is not part of them. */
import { executionArnOf, processorArnOf } from '../../lib/engine/arns';

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

test.each([
  ['arn:aws:states:local:000000000000:stateMachine:test', 'arn:aws:states:local:000000000000:stateMachine:test/enter'],
  [
    'arn:aws:states:local:000000000000:stateMachine:baton-sale-run:3',
    'arn:aws:states:local:000000000000:stateMachine:baton-sale-run/enter:3',
  ],
])('a Map state enter of %s runs its ItemProcessor as %s', (machine, processor) => {
  expect(processorArnOf(machine, 'enter')).toBe(processor);
  // Its children are `execution:<machine>/<Map state>:<name>`, as AWS names a Distributed Map's.
  expect(executionArnOf(processor, 'c-1')).toMatch(/:execution:(test|baton-sale-run)\/enter:c-1$/);
});
