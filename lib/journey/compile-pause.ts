/**
 * Pauses a journey's escalation rules can interrupt (ARCHITECTURE: on AWS no polling, timers come
 * from the state machine's own timeouts). A pause becomes:
 *
 *   <first>          Task  step handler 'escalation': escalate now, or how long to pause
 *   <first>.route    Choice: a rule fired → its goto; the pause is over → done; else → park
 *   <first>.park     Task  .waitForTaskToken, TimeoutSeconds = until the pause ends or the next
 *                    threshold; ingest completes the token for the awaited event (waitFor) or to
 *                    wake it when a touchpoint makes a rule hold
 *   <first>.resumed  Choice: woken → recheck; else the awaited event arrived → next
 *   <first>.recheck  Task  the same check, with the pause end kept in $pauseEnd
 *
 * A States.Timeout of the park goes to recheck, which ends the pause or escalates.
 */
import type { AslState } from './compile-steps';
import { FAILED_STATE, failureAssign, jsonata, placeholder, TASK_RETRY, taskBase } from './compile-steps';
import { countedArgument, NOTHING_PASSED, PASSED } from './compile-visits';
import { compiledRules, sessionSettings } from './escalation-rules';
import type { Scope } from './expressions';
import { variableScope } from './expressions';
import type { Keep } from './reads';
import type { Journey } from './schema';

export interface PauseSpec {
  /** Name of the pause's first state. */
  first: string;
  /** The step the pause belongs to (for handler calls and failures). */
  step: string;
  /** JSONata for when the pause ends (an ISO time), evaluated in the first state; or a local time. */
  pauseEnd?: string;
  untilLocalTime?: string;
  untilGiven?: boolean;
  /** waitFor: the event that ends the pause early, with its match values (JSONata) and what of it to keep. */
  event?: { type: string; match: Record<string, string>; keep?: Keep };
  /** Where to go when the awaited event arrives (waitFor), or when the pause is over. */
  next: string;
  done: string;
}

function failureCatch(step: string) {
  return { ErrorEquals: ['States.ALL'], Next: FAILED_STATE, Assign: failureAssign(step) };
}

/** The states of an interruptible pause. `scope` is how its first state reads the instance variables. */
export function compilePause(journey: Journey, spec: PauseSpec, scope: Scope): Record<string, AslState> {
  const rules = compiledRules(journey.escalation);
  const { first, step } = spec;
  const [route, park, resumed, recheck] = ['route', 'park', 'resumed', 'recheck'].map((s) => `${first}.${s}`);
  const check = (firstCheck: boolean, sc: Scope): AslState => ({
    Type: 'Task',
    Resource: placeholder('step'),
    Arguments: {
      ...taskBase(journey, step, sc),
      // The pause's first check is its step's first state when the pause is the step (wait, waitFor).
      ...countedArgument(sc, { self: firstCheck && first === step ? step : undefined }),
      op: 'escalation',
      visit: jsonata(`$states.context.State.Name & "@" & $states.context.State.EnteredTime`),
      rules,
      ...sessionSettings(journey),
      ...(firstCheck
        ? {
            first: true,
            ...(spec.pauseEnd ? { pauseEnd: jsonata(spec.pauseEnd) } : {}),
            ...(spec.untilLocalTime ? { untilLocalTime: spec.untilLocalTime } : {}),
            ...(spec.untilGiven ? { untilGiven: true } : {}),
            ...(journey.settings?.timezone ? { timezone: journey.settings.timezone } : {}),
          }
        : { pauseEnd: jsonata('$pauseEnd') }),
    },
    Assign: { pauseEnd: jsonata('$states.result.pauseEnd'), [PASSED]: NOTHING_PASSED },
    Retry: TASK_RETRY,
    Catch: [failureCatch(step)],
    Next: route,
  });
  const eventAssign = spec.event
    ? {
        events: jsonata(
          `$exists($states.result.escalate) ? $events : $merge([$events, {${JSON.stringify(step)}: $states.result}])`,
        ),
      }
    : undefined;
  return {
    [first]: check(true, scope),
    [route]: {
      Type: 'Choice',
      Choices: [
        ...rules.map((r, i) => ({ Condition: jsonata(`$states.input.escalate = ${i}`), Next: r.goto })),
        { Condition: jsonata('$states.input.timeoutSeconds <= 0'), Next: spec.done },
      ],
      Default: park,
    },
    [park]: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Arguments: {
        FunctionName: placeholder('park'),
        Payload: {
          ...taskBase(journey, step, variableScope),
          token: jsonata('$states.context.Task.Token'),
          ...(spec.event
            ? {
                event: spec.event.type,
                match: Object.fromEntries(Object.entries(spec.event.match).map(([k, v]) => [k, jsonata(v)])),
                ...(spec.event.keep ? { keep: spec.event.keep } : {}),
              }
            : {}),
          timeoutSeconds: jsonata('$states.input.timeoutSeconds'),
          wake: true,
          ...countedArgument(variableScope),
        },
      },
      TimeoutSeconds: jsonata('$states.input.timeoutSeconds'),
      Assign: { ...eventAssign, [PASSED]: NOTHING_PASSED },
      Retry: TASK_RETRY,
      Catch: [
        { ErrorEquals: ['States.Timeout'], Next: recheck, Assign: { [PASSED]: NOTHING_PASSED } },
        failureCatch(step),
      ],
      Next: resumed,
    },
    [resumed]: {
      Type: 'Choice',
      Choices: [{ Condition: jsonata('$exists($states.input.escalate)'), Next: recheck }],
      Default: spec.next,
    },
    [recheck]: check(false, variableScope),
  };
}
