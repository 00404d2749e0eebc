/** Step Functions ARNs, as AWS forms them. */

/**
 * The execution ARN of a named execution: `arn:…:execution:<machine>:<name>`. A version or alias
 * qualifier on the state machine ARN (`…:stateMachine:<machine>:live`) is not part of it.
 */
export function executionArnOf(stateMachineArn: string, name: string): string {
  const [head, rest] = stateMachineArn.split(':stateMachine:');
  return `${head}:execution:${rest.split(':')[0]}:${name}`;
}
