/**
 * compile(journey) → ASL: a pure function (ARCHITECTURE.md decision 1). The document uses
 * QueryLanguage JSONata and workflow variables; handler ARNs are `${...}` placeholders that CDK
 * fills through definitionSubstitutions and the local engine fills with in-process handlers.
 *
 * Workflow variables: $customerId, $trigger, $context, $events (one entry per waitFor step).
 * Each executed journey step is one state transition; a send adds one Choice only when it can be
 * deferred or has onSuppressed, and a branch over profile/messages/session adds one Task.
 */
import { durationSeconds } from './duration';
import {
  conditionPaths,
  conditionToJsonata,
  inputScope,
  LOOKUP_ROOTS,
  parsePath,
  type Scope,
  valueToJsonata,
  variableScope,
} from './expressions';
import { assertNever, type Journey, type Step, type StepOf } from './schema';
import { channelsOf, stepTargets } from './steps';

/** The placeholders a compiled document contains, by handler. */
export const HANDLER_PLACEHOLDERS = {
  send: 'SendFunctionArn',
  park: 'ParkFunctionArn',
  evaluate: 'EvaluateFunctionArn',
  finish: 'FinishFunctionArn',
} as const;
export type HandlerName = keyof typeof HANDLER_PLACEHOLDERS;

/** Variables every instance starts with; the state machine input carries exactly these. */
export const INSTANCE_VARIABLES = ['customerId', 'trigger', 'context', 'events'] as const;

export type AslState = Record<string, unknown> & { Type: string };
export interface AslDocument {
  Comment: string;
  QueryLanguage: 'JSONata';
  StartAt: string;
  States: Record<string, AslState>;
}

/** Names of states the compiler adds; they contain a dot, which step ids cannot. */
export const INIT_STATE = 'baton.init';
export const FAILED_STATE = 'baton.failed';
export const FAIL_STATE = 'baton.fail';

const placeholder = (h: HandlerName) => `\${${HANDLER_PLACEHOLDERS[h]}}`;
const jsonata = (expr: string) => `{% ${expr} %}`;

/** AWS's recommended retry for Lambda tasks, widened to any task failure: handlers are idempotent. */
const TASK_RETRY = [
  { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' },
];

/** Compile a valid journey to its ASL document. */
export function compileJourney(journey: Journey): AslDocument {
  const states: Record<string, AslState> = {};
  // The start state reads the instance variables from its input, unless it can be entered again
  // (a loop back to it, or a deferred send retrying itself): then a Pass state assigns them first.
  const startStep = journey.steps[journey.start];
  const isLoopTarget =
    Object.values(journey.steps).some((s) => stepTargets(s).some((t) => t.target === journey.start)) ||
    (startStep?.type === 'send' && isDeferrable(journey, startStep));
  let startAt = journey.start;
  if (isLoopTarget) {
    startAt = INIT_STATE;
    states[INIT_STATE] = { Type: 'Pass', Assign: initAssign(), Next: journey.start };
  }
  for (const [id, step] of Object.entries(journey.steps)) {
    const atStart = id === journey.start && !isLoopTarget;
    const compiled = compileStep(journey, id, step, atStart ? inputScope : variableScope);
    if (atStart) {
      // The start state assigns the instance variables; a Catch taken there skips the state's own
      // Assign, so each Catch assigns them too.
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
  return {
    Comment: `Baton journey ${journey.id} v${journey.version}`,
    QueryLanguage: 'JSONata',
    StartAt: startAt,
    States: states,
  };
}

/** A step that failed for good records the exit (reason failed) and fails the execution. */
function addFailureStates(journey: Journey, states: Record<string, AslState>): void {
  states[FAILED_STATE] = {
    Type: 'Task',
    Resource: placeholder('finish'),
    Arguments: {
      ...taskBase(journey, jsonata('$failure.step'), variableScope),
      reason: 'failed',
      error: jsonata('$failure.error'),
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

function initAssign(): Record<string, string> {
  return Object.fromEntries(INSTANCE_VARIABLES.map((v) => [v, jsonata(`$states.input.${v}`)]));
}

function taskBase(journey: Journey, step: string, scope: Scope) {
  return {
    journey: journey.id,
    version: journey.version,
    step,
    instance: jsonata('$states.context.Execution.Name'),
    customerId: jsonata(scope('customerId')),
  };
}

function failureCatch(id: string) {
  return {
    ErrorEquals: ['States.ALL'],
    Next: FAILED_STATE,
    Assign: { failure: { step: id, error: jsonata('$states.errorOutput.Error') } },
  };
}

function compileStep(journey: Journey, id: string, step: Step, scope: Scope): Record<string, AslState> {
  switch (step.type) {
    case 'wait':
      return { [id]: { Type: 'Wait', Seconds: durationSeconds(step.for), Next: step.next } };
    case 'send':
      return compileSend(journey, id, step, scope);
    case 'waitFor':
      return {
        [id]: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Arguments: {
            FunctionName: placeholder('park'),
            Payload: {
              ...taskBase(journey, id, scope),
              token: jsonata('$states.context.Task.Token'),
              event: step.event,
              match: Object.fromEntries(
                Object.entries(step.match ?? {}).map(([k, v]) => [k, jsonata(valueToJsonata(v, scope))]),
              ),
              timeoutSeconds: durationSeconds(step.timeout),
            },
          },
          TimeoutSeconds: durationSeconds(step.timeout),
          Assign: { events: jsonata(`$merge([${scope('events')}, {${JSON.stringify(id)}: $states.result}])`) },
          Retry: TASK_RETRY,
          Catch: [{ ErrorEquals: ['States.Timeout'], Next: step.onTimeout }, failureCatch(id)],
          Next: step.next,
        },
      };
    case 'branch':
      return compileBranch(journey, id, step, scope);
    case 'end':
      return {
        [id]: {
          Type: 'Task',
          Resource: placeholder('finish'),
          Arguments: { ...taskBase(journey, id, scope), reason: 'completed' },
          Retry: TASK_RETRY,
          End: true,
        },
      };
    default:
      return assertNever(step);
  }
}

function compileSend(journey: Journey, id: string, step: StepOf<'send'>, scope: Scope): Record<string, AslState> {
  const quiet = (step.purpose ?? 'marketing') === 'marketing' ? journey.settings?.quietHours : undefined;
  const deferrable = isDeferrable(journey, step);
  const routed = deferrable || step.onSuppressed !== undefined;
  const outcome = `${id}.outcome`;
  const states: Record<string, AslState> = {
    [id]: {
      Type: 'Task',
      Resource: placeholder('send'),
      Arguments: {
        ...taskBase(journey, id, scope),
        visit: jsonata('$states.context.State.EnteredTime'),
        channels: channelsOf(step),
        template: step.template,
        purpose: step.purpose ?? 'marketing',
        ...(journey.settings?.timezone ? { timezone: journey.settings.timezone } : {}),
        ...(quiet ? { quietHours: { start: quiet.start, end: quiet.end, action: quiet.action ?? 'defer' } } : {}),
        trigger: jsonata(scope('trigger')),
        context: jsonata(scope('context')),
      },
      Retry: TASK_RETRY,
      Catch: [failureCatch(id)],
      Next: routed ? outcome : step.next,
    },
  };
  if (routed) {
    const choices: Record<string, unknown>[] = [];
    if (deferrable) choices.push({ Condition: jsonata(`$states.input.outcome = 'deferred'`), Next: `${id}.defer` });
    if (step.onSuppressed !== undefined) {
      choices.push({ Condition: jsonata(`$states.input.outcome = 'suppressed'`), Next: step.onSuppressed });
    }
    states[outcome] = { Type: 'Choice', Choices: choices, Default: step.next };
    if (deferrable) states[`${id}.defer`] = { Type: 'Wait', Timestamp: jsonata('$states.input.resumeAt'), Next: id };
  }
  return states;
}

/** Whether a send may be held for quiet hours, and so re-enters its own state later. */
function isDeferrable(journey: Journey, step: StepOf<'send'>): boolean {
  const quiet = journey.settings?.quietHours;
  return (step.purpose ?? 'marketing') === 'marketing' && quiet !== undefined && (quiet.action ?? 'defer') === 'defer';
}

function compileBranch(journey: Journey, id: string, step: StepOf<'branch'>, scope: Scope): Record<string, AslState> {
  const needsLookup = step.cases.some((c) =>
    conditionPaths(c.if).some(({ path }) => {
      const p = parsePath(path);
      return p.kind === 'path' && LOOKUP_ROOTS.includes(p.root);
    }),
  );
  if (!needsLookup) {
    return {
      [id]: {
        Type: 'Choice',
        Choices: step.cases.map((c) => ({ Condition: jsonata(conditionToJsonata(c.if, scope)), Next: c.next })),
        Default: step.default,
      },
    };
  }
  // Profiles, messages and sessions stay out of the state machine: a handler evaluates the
  // conditions and returns only the index of the first case that holds.
  const route = `${id}.route`;
  return {
    [id]: {
      Type: 'Task',
      Resource: placeholder('evaluate'),
      Arguments: {
        ...taskBase(journey, id, scope),
        conditions: step.cases.map((c) => conditionToJsonata(c.if, variableScope)),
        trigger: jsonata(scope('trigger')),
        context: jsonata(scope('context')),
        events: jsonata(scope('events')),
      },
      Retry: TASK_RETRY,
      Catch: [failureCatch(id)],
      Next: route,
    },
    [route]: {
      Type: 'Choice',
      Choices: step.cases.map((c, i) => ({ Condition: jsonata(`$states.input.case = ${i}`), Next: c.next })),
      Default: step.default,
    },
  };
}
