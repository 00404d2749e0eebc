/**
 * compile(journey) → ASL: a pure function (ARCHITECTURE.md decision 1). The document uses
 * QueryLanguage JSONata and workflow variables; handler ARNs are `${...}` placeholders that CDK
 * fills through definitionSubstitutions and the local engine fills with in-process handlers.
 *
 * Workflow variables: $customerId, $trigger, $context, $events (one entry per waitFor step).
 * Each executed journey step is one state transition where it can be (see compile-steps.ts).
 */
import { type AslState, compileStep, FAILED_STATE, jsonata, placeholder, TASK_RETRY, taskBase } from './compile-steps';
import { countedArgument, isPureStep, NOTHING_PASSED, PASSED } from './compile-visits';
import { durationSeconds } from './duration';
import { inputScope, variableScope } from './expressions';
import type { Journey } from './schema';
import { stepTargets } from './steps';

export { type AslState, FAILED_STATE, HANDLER_PLACEHOLDERS, type HandlerName } from './compile-steps';

/** Variables every instance starts with; the state machine input carries exactly these. */
export const INSTANCE_VARIABLES = ['customerId', 'trigger', 'context', 'events'] as const;

export interface AslDocument {
  Comment: string;
  QueryLanguage: 'JSONata';
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, AslState>;
}

/** Names of states the compiler adds; they contain a dot, which step ids cannot. */
export const INIT_STATE = 'baton.init';
export const FAIL_STATE = 'baton.fail';

/** Compile a valid journey to its ASL document. */
export function compileJourney(journey: Journey): AslDocument {
  const states: Record<string, AslState> = {};
  // The start state reads the instance variables from its input, unless it can be entered again
  // (a loop back to it, or a deferred send retrying itself): then a Pass state assigns them first.
  const reentered = Object.values(journey.steps).some((s) => stepTargets(s).some((t) => t.target === journey.start));
  let startAt = journey.start;
  if (reentered) {
    startAt = INIT_STATE;
    states[INIT_STATE] = { Type: 'Pass', Assign: initAssign(startCountedByEntry(journey)), Next: journey.start };
  }
  for (const [id, step] of Object.entries(journey.steps)) {
    const atStart = id === journey.start && !reentered;
    const compiled = compileStep(journey, id, step, atStart ? inputScope : variableScope);
    if (atStart) {
      if (Object.values(compiled).some((s) => s.Next === id)) {
        // The step loops on itself (a deferred send): it cannot read from the input after all.
        states[INIT_STATE] = { Type: 'Pass', Assign: initAssign(startCountedByEntry(journey)), Next: id };
        startAt = INIT_STATE;
        Object.assign(states, compileStep(journey, id, step, variableScope));
        continue;
      }
      // The first state of the start step assigns the instance variables; a Catch taken there
      // skips the state's own Assign, so each Catch assigns them too.
      const first = compiled[id];
      first.Assign = { ...initAssign(), ...((first.Assign as Record<string, unknown>) ?? {}) };
      for (const c of (first.Catch as Record<string, unknown>[] | undefined) ?? []) {
        c.Assign = { ...initAssign(), ...((c.Assign as Record<string, unknown>) ?? {}) };
      }
    }
    Object.assign(states, compiled);
  }
  const catchesFailure = Object.values(states).some((st) =>
    ((st.Catch as { Next: string }[] | undefined) ?? []).some((c) => c.Next === FAILED_STATE),
  );
  if (catchesFailure) addFailureStates(journey, states);
  const maxDuration = journey.settings?.maxDuration;
  return {
    Comment: `Baton journey ${journey.id} v${journey.version}`,
    QueryLanguage: 'JSONata',
    StartAt: startAt,
    ...(maxDuration ? { TimeoutSeconds: durationSeconds(maxDuration) } : {}),
    States: states,
  };
}

/** A step that failed for good records the exit (reason failed) and fails the execution. */
function addFailureStates(journey: Journey, states: Record<string, AslState>): void {
  states[FAILED_STATE] = {
    Type: 'Task',
    Resource: placeholder('step'),
    Arguments: {
      ...taskBase(journey, jsonata('$failure.step'), variableScope),
      // Under the failed state's own key: what it counted before it failed is not counted twice.
      ...countedArgument(variableScope, { key: '$failure.visit' }),
      op: 'finish',
      reason: 'failed',
      error: jsonata('$failure.error'),
      cause: jsonata('$failure.cause'),
    },
    Retry: TASK_RETRY,
    Next: FAIL_STATE,
  };
  states[FAIL_STATE] = {
    Type: 'Fail',
    Error: 'Baton.StepFailed',
    Cause: 'A journey step failed; the timeline has the step and error.',
  };
}

/** The deployed text of a compiled document: `baton compile` prints exactly this. */
export function renderAsl(doc: AslDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Fill `${Name}` placeholders, as CloudFormation's definitionSubstitutions does. */
export function substitute(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (all, name: string) => values[name] ?? all);
}

/**
 * The instance variables from the input, and $passed empty (compile-visits.ts); null when the
 * start step is pure, because the entry counted its first visit.
 */
function initAssign(startCounted = false): Record<string, unknown> {
  return {
    ...Object.fromEntries(INSTANCE_VARIABLES.map((v) => [v, jsonata(`$states.input.${v}`)])),
    [PASSED]: startCounted ? null : NOTHING_PASSED,
  };
}

/** Whether the entry counts the start step's first visit (it does when that step cannot: see lib/core/entry.ts). */
export function startCountedByEntry(journey: Journey): boolean {
  return isPureStep(journey, journey.start);
}
