/**
 * What an execution's JSONata fields see: `$states.input`, the workflow variables and
 * `$states.context` (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html).
 */
import { hash } from 'node:crypto';
import type { Execution } from './engine';
import type { Scope } from './jsonata-fields';

/** The scope of an execution's current state at `nowMs`. */
export function executionScope(ex: Execution, nowMs: number): Scope {
  // The token and the parsed input are worked out only when a field reads them (few do).
  let token: string | undefined;
  let input: { value: unknown } | undefined;
  // An inline Map's iteration is part of its parent's execution, and shows it.
  const outer = ex.parent?.inline;
  const execution = outer
    ? { arn: ex.parent!.executionArn, name: outer.name, startedAt: outer.startedAt, input: outer.input }
    : { arn: ex.executionArn, name: ex.name, startedAt: ex.startedAt, input: ex.input };
  const machine = outer?.stateMachineArn ?? ex.stateMachineArn;
  return {
    vars: ex.vars,
    nowMs,
    states: {
      input: ex.stateInput,
      context: {
        Execution: {
          Id: execution.arn,
          Name: execution.name,
          StartTime: execution.startedAt,
          get Input() {
            input ??= { value: JSON.parse(execution.input) };
            return input.value;
          },
        },
        StateMachine: { Id: machine, Name: machineName(machine) },
        State: { Name: ex.state, EnteredTime: ex.enteredAt, RetryCount: ex.retryCounts.reduce((a, b) => a + b, 0) },
        Task: {
          get Token() {
            token ??= hash(
              'sha256',
              `${ex.executionArn}#${ex.state}#${ex.enteredAt}#${ex.retryCounts.join(',')}`,
              'base64url',
            );
            return token;
          },
        },
      },
    },
  };
}

/** State machine names by ARN: every state of every execution shows its machine's. */
const names = new Map<string, string | undefined>();

function machineName(arn: string): string | undefined {
  let name = names.get(arn);
  if (name === undefined && !names.has(arn)) {
    name = arn.split(':').pop();
    // A process registers a few machines per journey version; a bound keeps a long `baton dev` flat.
    if (names.size >= 10_000) names.clear();
    names.set(arn, name);
  }
  return name;
}
