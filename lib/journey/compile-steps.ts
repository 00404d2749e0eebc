/**
 * The states of each step type. A step is one state where it can be; extra states appear only
 * where Step Functions needs them: a Choice after a send that can be deferred or suppressed, a
 * Wait after a handler computed when to resume, a Choice after a handler evaluated conditions
 * over data that must stay out of the state machine.
 */

import { compilePause } from './compile-pause';
import {
  aheadOf,
  branchNeedsLookup,
  countedArgument,
  NOTHING_PASSED,
  PASSED,
  passedAfterTask,
  passedAssign,
  VISIT_KEY,
} from './compile-visits';
import { durationSeconds } from './duration';
import { sessionSettings } from './escalation-rules';
import {
  conditionToJsonata,
  jsonataLiteral,
  type Scope,
  valueOrNullJsonata,
  valueToJsonata,
  variableScope,
} from './expressions';
import { instantJsonata, isUntilLiteral } from './instant';
import { eventKeep, type Keep } from './reads';
import { assertNever, type Journey, type Step, type StepOf } from './schema';
import { channelOrder } from './steps';

/** The placeholders a compiled document contains, by handler. */
export const HANDLER_PLACEHOLDERS = {
  send: 'SendFunctionArn',
  park: 'ParkFunctionArn',
  step: 'StepFunctionArn',
  dispatch: 'DispatchFunctionArn',
} as const;
export type HandlerName = keyof typeof HANDLER_PLACEHOLDERS;

export type AslState = Record<string, unknown> & { Type: string };

export const FAILED_STATE = 'baton.failed';

export const placeholder = (h: HandlerName) => `\${${HANDLER_PLACEHOLDERS[h]}}`;
export const jsonata = (expr: string) => `{% ${expr} %}`;

/** AWS's recommended retry for Lambda tasks, widened to any task failure: handlers are idempotent. */
export const TASK_RETRY = [
  { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' },
];
/** Actions call systems Baton does not own: transient failures get a longer, jittered backoff. */
const ACTION_RETRY = [
  // A refusal will not change on retry: MaxAttempts 0 sends it straight to Catch.
  { ErrorEquals: ['Baton.ActionRejected'], MaxAttempts: 0 },
  {
    ErrorEquals: ['Baton.ActionFailed'],
    IntervalSeconds: 2,
    MaxAttempts: 5,
    BackoffRate: 2,
    MaxDelaySeconds: 300,
    JitterStrategy: 'FULL',
  },
  ...TASK_RETRY,
];

/** What every handler call carries: which instance, which step. */
export function taskBase(journey: Journey, step: string, scope: Scope) {
  return {
    journey: journey.id,
    version: journey.version,
    step,
    instance: jsonata('$states.context.Execution.Name'),
    customerId: jsonata(scope('customerId')),
  };
}

/**
 * What a step's failure keeps for its timeline line: the error name and its cause (null when
 * there is none: a field whose expression gives nothing fails the state on AWS).
 */
export function failureAssign(step: string) {
  return {
    failure: {
      step,
      error: jsonata('$states.errorOutput.Error'),
      cause: jsonata('$exists($states.errorOutput.Cause) ? $states.errorOutput.Cause : null'),
      // The failed state's visit: the failure state counts $passed under its key (compile-visits.ts).
      visit: jsonata(VISIT_KEY),
    },
  };
}

function failureCatch(id: string) {
  return { ErrorEquals: ['States.ALL'], Next: FAILED_STATE, Assign: failureAssign(id) };
}

/** A Task on a handler with the standard retry and failure catch; once it returned, $passed is counted. */
function task(
  handler: HandlerName,
  args: Record<string, unknown>,
  id: string,
  next: string | undefined,
  extra: Partial<AslState> = {},
): AslState {
  return {
    Type: 'Task',
    Resource: placeholder(handler),
    Arguments: args,
    Assign: passedAfterTask(),
    Retry: TASK_RETRY,
    Catch: [failureCatch(id)],
    ...extra,
    ...(next === undefined ? { End: true } : { Next: next }),
  };
}

/** A handler step that always goes on to `next`: it counts its own visit, and `next` ahead when that is pure. */
function countedToNext(journey: Journey, id: string, next: string, scope: Scope) {
  const ahead = aheadOf(journey, { next });
  return { args: countedArgument(scope, { self: id, ahead }), assign: passedAfterTask(ahead) };
}

/** The states of one step. `scope` says how its first state reads the instance variables. */
export function compileStep(journey: Journey, id: string, step: Step, scope: Scope): Record<string, AslState> {
  const base = taskBase(journey, id, scope);
  switch (step.type) {
    case 'wait':
      return compileWait(journey, id, step, scope);
    case 'send':
      return compileSend(journey, id, step, scope);
    case 'waitFor':
      if (journey.escalation?.length) {
        return compilePause(
          journey,
          {
            first: id,
            step: id,
            pauseEnd: `$fromMillis($toMillis($states.context.State.EnteredTime) + ${(durationSeconds(step.timeout) ?? 0) * 1000})`,
            event: {
              type: step.event,
              match: Object.fromEntries(
                Object.entries(step.match ?? {}).map(([k, v]) => [k, valueOrNullJsonata(v, variableScope)]),
              ),
              keep: eventKeep(journey, id),
            },
            next: step.next,
            done: step.onTimeout,
          },
          scope,
        );
      }
      return {
        [id]: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Arguments: {
            FunctionName: placeholder('park'),
            Payload: {
              ...base,
              token: jsonata('$states.context.Task.Token'),
              event: step.event,
              match: Object.fromEntries(
                Object.entries(step.match ?? {}).map(([k, v]) => [k, jsonata(valueOrNullJsonata(v, scope))]),
              ),
              ...keepArgument(journey, id),
              timeoutSeconds: durationSeconds(step.timeout),
              ...countedArgument(scope, { self: id }),
            },
          },
          TimeoutSeconds: durationSeconds(step.timeout),
          Assign: {
            events: jsonata(`$merge([${scope('events')}, {${JSON.stringify(id)}: $states.result}])`),
            [PASSED]: NOTHING_PASSED,
          },
          Retry: TASK_RETRY,
          // The park handler returned (and counted) before the wait timed out.
          Catch: [
            { ErrorEquals: ['States.Timeout'], Next: step.onTimeout, Assign: { [PASSED]: NOTHING_PASSED } },
            failureCatch(id),
          ],
          Next: step.next,
        },
      };
    case 'branch':
      return compileBranch(journey, id, step, scope);
    case 'split':
      return compileSplit(journey, id, step, scope);
    case 'handoff': {
      const counted = countedToNext(journey, id, step.next, scope);
      return {
        [id]: task(
          'dispatch',
          {
            ...base,
            ...counted.args,
            op: 'handoff',
            visit: jsonata('$states.context.State.EnteredTime'),
            to: step.to,
            // One object constructor, which leaves out a key the context lacks: Step Functions fails a
            // field whose own expression returns nothing (States.QueryEvaluationError).
            carry: jsonata(
              `{${step.carry.map((k) => `${jsonataLiteral(k)}: ${valueToJsonata(`context.${k}`, scope)}`).join(', ')}}`,
            ),
            ...(step.reason === undefined ? {} : { reason: jsonata(valueOrNullJsonata(step.reason, scope)) }),
          },
          id,
          step.next,
          { Assign: counted.assign },
        ),
      };
    }
    case 'action': {
      const counted = countedToNext(journey, id, step.next, scope);
      return {
        [id]: task(
          'dispatch',
          {
            ...base,
            ...counted.args,
            op: 'action',
            visit: jsonata('$states.context.State.EnteredTime'),
            target: step.target,
            payload: Object.fromEntries(
              Object.entries(step.payload ?? {}).map(([k, v]) => [k, valueToJsonata(v, variableScope)]),
            ),
            ...lookupData(journey, scope),
          },
          id,
          step.next,
          {
            Assign: counted.assign,
            Retry: ACTION_RETRY,
            Catch: [step.onError ? { ErrorEquals: ['States.ALL'], Next: step.onError } : failureCatch(id)],
          },
        ),
      };
    }
    case 'update': {
      const counted = countedToNext(journey, id, step.next, scope);
      return {
        [id]: task(
          'step',
          {
            ...base,
            ...counted.args,
            op: 'update',
            set: Object.fromEntries(Object.entries(step.set).map(([k, v]) => [k, valueToJsonata(v, variableScope)])),
            ...lookupData(journey, scope),
          },
          id,
          step.next,
          { Assign: counted.assign },
        ),
      };
    }
    case 'end':
      return {
        [id]: {
          Type: 'Task',
          Resource: placeholder('step'),
          Arguments: { ...base, ...countedArgument(scope, { self: id }), op: 'finish', reason: 'completed' },
          Retry: TASK_RETRY,
          End: true,
        },
      };
    default:
      return assertNever(step);
  }
}

/**
 * The fields of the awaited event the journey reads: ingest sends only those back with the task
 * token, so the rest never enters the execution (and its history). Absent: the event whole.
 */
function keepArgument(journey: Journey, step: string): { keep?: Keep } {
  const keep = eventKeep(journey, step);
  return keep ? { keep } : {};
}

/** The instance data a handler needs to evaluate expressions itself, and how the journey reads sessions. */
function lookupData(journey: Journey, scope: Scope) {
  return {
    trigger: jsonata(scope('trigger')),
    context: jsonata(scope('context')),
    events: jsonata(scope('events')),
    ...sessionSettings(journey),
  };
}

/** JSONata for a wait's `until`: a literal time, or a path to one. */
function untilJsonata(until: string, scope: Scope): string {
  return isUntilLiteral(until) ? jsonataLiteral(until) : valueToJsonata(until, scope);
}

function compileWait(journey: Journey, id: string, step: StepOf<'wait'>, scope: Scope): Record<string, AslState> {
  if (journey.escalation?.length) {
    const pause = { first: id, step: id, next: step.next, done: step.next };
    if (step.for !== undefined) {
      const ms = (durationSeconds(step.for) ?? 0) * 1000;
      return compilePause(
        journey,
        { ...pause, pauseEnd: `$fromMillis($toMillis($states.context.State.EnteredTime) + ${ms})` },
        scope,
      );
    }
    if (step.untilLocalTime !== undefined)
      return compilePause(journey, { ...pause, untilLocalTime: step.untilLocalTime }, scope);
    const pauseEnd = instantJsonata(untilJsonata(step.until ?? '', scope));
    return compilePause(journey, { ...pause, pauseEnd, untilGiven: true }, scope);
  }
  if (step.for !== undefined)
    return {
      [id]: { Type: 'Wait', Seconds: durationSeconds(step.for), Assign: passedAssign(id, scope), Next: step.next },
    };
  const resume = `${id}.wait`;
  if (step.untilLocalTime !== undefined) {
    // The customer's zone is in the profile: a handler computes the instant, a Wait holds until it.
    return {
      [id]: task(
        'step',
        {
          ...taskBase(journey, id, scope),
          ...countedArgument(scope, { self: id }),
          op: 'localTime',
          at: step.untilLocalTime,
          ...(journey.settings?.timezone ? { timezone: journey.settings.timezone } : {}),
        },
        id,
        resume,
      ),
      [resume]: { Type: 'Wait', Timestamp: jsonata('$states.input.resumeAt'), Next: step.next },
    };
  }
  const until = step.until ?? '';
  const instant = instantJsonata(untilJsonata(until, scope));
  const passed = `${id}.passed`;
  return {
    // Only a time still ahead waits, and the Wait gets it in canonical form; a time already past,
    // missing or malformed continues at once and says which: it never stalls or fails.
    [id]: {
      Type: 'Choice',
      Choices: [
        {
          Condition: jsonata(`($i := ${instant}; $type($i) = "string" and $toMillis($i) > $millis())`),
          Next: resume,
          Output: { resumeAt: jsonata(instant) },
        },
      ],
      Default: passed,
      Assign: passedAssign(id, scope),
    },
    [resume]: { Type: 'Wait', Timestamp: jsonata('$states.input.resumeAt'), Next: step.next },
    [passed]: task(
      'step',
      {
        ...taskBase(journey, id, variableScope),
        ...countedArgument(variableScope),
        op: 'note',
        note: jsonata(
          `$type(${instantJsonata(untilJsonata(until, variableScope))}) = "string" ? "until-passed" : "until-invalid"`,
        ),
      },
      id,
      step.next,
    ),
  };
}

/** Whether a send may be held (quiet hours to defer, or best timing), and so re-enters its own state. */
function isDeferrable(journey: Journey, step: StepOf<'send'>): boolean {
  if (typeof step.timing === 'object') return true;
  const quiet = journey.settings?.quietHours;
  return (step.purpose ?? 'marketing') === 'marketing' && quiet !== undefined && (quiet.action ?? 'defer') === 'defer';
}

function compileSend(journey: Journey, id: string, step: StepOf<'send'>, scope: Scope): Record<string, AslState> {
  const purpose = step.purpose ?? 'marketing';
  const settings = journey.settings ?? {};
  const quiet = purpose === 'marketing' ? settings.quietHours : undefined;
  const cap = purpose === 'marketing' ? settings.frequencyCap : undefined;
  const deferrable = isDeferrable(journey, step);
  const routed = deferrable || step.onSuppressed !== undefined;
  const outcome = `${id}.outcome`;
  // The handler knows where its outcome leads (a deferred message stays on the step).
  const ahead = aheadOf(journey, { sent: step.next, failed: step.next, suppressed: step.onSuppressed ?? step.next });
  const states: Record<string, AslState> = {
    [id]: task(
      'send',
      {
        ...taskBase(journey, id, scope),
        ...countedArgument(scope, { self: id, ahead }),
        visit: jsonata('$states.context.State.EnteredTime'),
        channels: channelOrder(step),
        template: step.template,
        purpose,
        ...(settings.timezone ? { timezone: settings.timezone } : {}),
        ...(quiet ? { quietHours: { start: quiet.start, end: quiet.end, action: quiet.action ?? 'defer' } } : {}),
        ...(cap
          ? { frequencyCap: { max: cap.max, perSeconds: durationSeconds(cap.per), scope: cap.scope ?? 'customer' } }
          : {}),
        ...(typeof step.timing === 'object'
          ? {
              timing: { best: true, withinSeconds: durationSeconds(step.timing.within) },
              // Back from its own hold (see the defer Wait): do not hold for timing again.
              heldUntil: jsonata(`$states.input.heldStep = ${JSON.stringify(id)} ? $states.input.resumeAt : null`),
            }
          : {}),
        trigger: jsonata(scope('trigger')),
        context: jsonata(scope('context')),
      },
      id,
      routed ? outcome : step.next,
      { Assign: passedAfterTask(ahead) },
    ),
  };
  if (routed) {
    const choices: Record<string, unknown>[] = [];
    if (deferrable) choices.push({ Condition: jsonata(`$states.input.outcome = 'deferred'`), Next: `${id}.defer` });
    if (step.onSuppressed !== undefined) {
      choices.push({ Condition: jsonata(`$states.input.outcome = 'suppressed'`), Next: step.onSuppressed });
    }
    states[outcome] = { Type: 'Choice', Choices: choices, Default: step.next };
    if (deferrable && journey.escalation?.length) {
      const hold = { first: `${id}.defer`, step: id, pauseEnd: '$states.input.resumeAt', next: id, done: id };
      Object.assign(states, compilePause(journey, hold, variableScope));
    } else if (deferrable) {
      states[`${id}.defer`] = { Type: 'Wait', Timestamp: jsonata('$states.input.resumeAt'), Next: id };
    }
  }
  return states;
}

function compileBranch(journey: Journey, id: string, step: StepOf<'branch'>, scope: Scope): Record<string, AslState> {
  if (!branchNeedsLookup(step)) {
    return {
      [id]: {
        Type: 'Choice',
        Choices: step.cases.map((c) => ({ Condition: jsonata(conditionToJsonata(c.if, scope)), Next: c.next })),
        Default: step.default,
        Assign: passedAssign(id, scope),
      },
    };
  }
  // Profiles, messages and sessions stay out of the state machine: a handler evaluates the
  // conditions and returns only the index of the first case that holds.
  const route = `${id}.route`;
  const ahead = aheadOf(journey, {
    ...Object.fromEntries(step.cases.map((c, i) => [String(i), c.next])),
    default: step.default,
  });
  return {
    [id]: task(
      'step',
      {
        ...taskBase(journey, id, scope),
        ...countedArgument(scope, { self: id, ahead }),
        op: 'evaluate',
        conditions: step.cases.map((c) => conditionToJsonata(c.if, variableScope)),
        ...lookupData(journey, scope),
      },
      id,
      route,
      { Assign: passedAfterTask(ahead) },
    ),
    [route]: {
      Type: 'Choice',
      Choices: step.cases.map((c, i) => ({ Condition: jsonata(`$states.input.case = ${i}`), Next: c.next })),
      Default: step.default,
    },
  };
}

/**
 * A split decides in the step handler, which picks the path (a hash of the instance and the step,
 * so an instance takes the same path every time; the winner once split.optimize chose one), counts
 * the path's entry and tells the instance's conversion watcher; a Choice routes on its answer.
 * Deciding in a handler costs one more transition than a Choice alone would, and is what makes an
 * experiment exact: an instance stopped on a path (its goal, say) has its path counted already.
 */
function compileSplit(journey: Journey, id: string, step: StepOf<'split'>, scope: Scope): Record<string, AslState> {
  const route = `${id}.route`;
  const holdout = `${id}.holdout`;
  const targetOf = (p: (typeof step.paths)[number]) => ('next' in p ? p.next : holdout);
  const ahead = aheadOf(
    journey,
    Object.fromEntries(step.paths.map((p, i) => [String(i), 'next' in p ? p.next : undefined])),
  );
  const states: Record<string, AslState> = {
    [id]: task(
      'step',
      {
        ...taskBase(journey, id, scope),
        ...countedArgument(scope, { self: id, ahead }),
        op: 'split',
        paths: step.paths.map((p) => ({ weight: p.weight, ...('exit' in p ? { holdout: true } : {}) })),
        ...(step.optimize
          ? { optimize: { afterSeconds: durationSeconds(step.optimize.after), minPerPath: step.optimize.minPerPath } }
          : {}),
        ...(journey.goal ? { goal: journey.goal.event } : {}),
      },
      id,
      route,
      { Assign: passedAfterTask(ahead) },
    ),
    [route]: {
      Type: 'Choice',
      Choices: step.paths
        .slice(0, -1)
        .map((p, i) => ({ Condition: jsonata(`$states.input.path = ${i}`), Next: targetOf(p) })),
      Default: targetOf(step.paths[step.paths.length - 1]),
    },
  };
  if (step.paths.some((p) => 'exit' in p)) {
    states[holdout] = {
      Type: 'Task',
      Resource: placeholder('step'),
      Arguments: {
        ...taskBase(journey, id, variableScope),
        ...countedArgument(variableScope),
        op: 'finish',
        reason: 'holdout',
      },
      Retry: TASK_RETRY,
      End: true,
    };
  }
  return states;
}
