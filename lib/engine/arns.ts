/** Step Functions ARNs, as AWS forms them. */

/**
 * The execution ARN of a named execution: `arn:…:execution:<machine>:<name>`. A version or alias
 * qualifier on the state machine ARN (`…:stateMachine:<machine>:live`) is not part of it.
 */
export function executionArnOf(stateMachineArn: string, name: string): string {
  const [head, rest] = stateMachineArn.split(':stateMachine:');
  return `${head}:execution:${rest.split(':')[0]}:${name}`;
}

/**
 * The ARN under which a Map state's ItemProcessor runs as a state machine of its own:
 * `…:stateMachine:<machine>/<map state>`, keeping a version qualifier, so its executions are
 * `…:execution:<machine>/<map state>:<name>`, the form AWS gives a Distributed Map's children.
 */
export function processorArnOf(stateMachineArn: string, mapState: string): string {
  const [head, rest] = stateMachineArn.split(':stateMachine:');
  const [machine, ...qualifier] = rest.split(':');
  return `${head}:stateMachine:${machine}/${mapState}${qualifier.map((q) => `:${q}`).join('')}`;
}
