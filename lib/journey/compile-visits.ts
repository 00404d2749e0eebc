/**
 * Visits of every step (SPEC §7), counted exactly and without one more state transition.
 *
 * A step whose first state calls a handler counts its own visit there. A step that is a bare Wait
 * or Choice (a wait, a branch over trigger data: "pure" here) cannot write anything, so it adds
 * its id to the workflow variable $passed (Assign is free on AWS) and the next handler call counts
 * what $passed holds, then empties it. Each handler call counts at most once: by a key of the
 * state visit (its name and entry time, the same on every Retry), checked on the instance record
 * (lib/results/visits.ts). $passed is a string, `|` then each id followed by `|` (`|wait-1h|check|`;
 * step ids hold none), so that a handler call reads it, and its state, as plain paths (nothing for
 * JSONata to evaluate locally).
 *
 * A bare wait can be where an instance is stopped (goal, exit event, maxDuration), and then no
 * handler would ever count what $passed holds. So the visit of a pure step is counted ahead, by
 * whoever hands control to it when that can write: the entry counts a pure start step, and a
 * handler whose result decides its next step counts that step when it is pure ($passed is then
 * null, and the pure step leaves it empty instead of adding itself). Left to $passed: a pure
 * step entered from another pure step, from a waitFor's event or timeout, or from a Catch.
 */
import { conditionPaths, inputScope, LOOKUP_ROOTS, parsePath, type Scope } from './expressions';
import { assertNever, type Journey, type StepOf } from './schema';

/** The workflow variable of the pure steps passed since the last handler call. */
export const PASSED = 'passed';
/** $passed when no step was passed since the last handler call. */
export const NOTHING_PASSED = '|';

const js = (expr: string) => `{% ${expr} %}`;

/** Whether a branch reads data that stays out of the state machine, so a handler evaluates it. */
export function branchNeedsLookup(step: StepOf<'branch'>): boolean {
  return step.cases.some((c) =>
    conditionPaths(c.if).some(({ path }) => {
      const p = parsePath(path);
      return p.kind === 'path' && LOOKUP_ROOTS.includes(p.root);
    }),
  );
}

/** Whether a step's first state is a bare Wait or Choice, which cannot count its own visit. */
export function isPureStep(journey: Journey, id: string): boolean {
  const step = journey.steps[id];
  if (!step) return false;
  switch (step.type) {
    case 'wait':
      // With escalation every pause starts with a check by the step handler; untilLocalTime asks one for the time.
      return !journey.escalation?.length && step.untilLocalTime === undefined;
    case 'branch':
      return !branchNeedsLookup(step);
    case 'send':
    case 'waitFor':
    case 'split':
    case 'handoff':
    case 'action':
    case 'update':
    case 'end':
      return false;
    default:
      return assertNever(step);
  }
}

/**
 * The Assign of a pure step's first state: add itself to $passed, unless it was counted ahead
 * ($passed null). Read from the input (the start step, entered once), the entry counted it.
 */
export function passedAssign(id: string, scope: Scope): Record<string, unknown> {
  if (scope === inputScope) return { [PASSED]: NOTHING_PASSED };
  return { [PASSED]: js(`$${PASSED} = null ? '${NOTHING_PASSED}' : $${PASSED} & ${JSON.stringify(`${id}|`)}`) };
}

/** The key of a state visit, for a Catch to keep: the same on every Retry of the state, new on every entry. */
export const VISIT_KEY = '$states.context.State.Name & "#" & $states.context.State.EnteredTime';

/**
 * What a handler call counts (its `counted` argument): the pure steps passed, its own step when
 * this is the step's first state, and `ahead`: by the handler's outcome, the pure step it leads
 * to. The state visit is its name and entry time, or `key` (a failed state's, for the failure state).
 */
export function countedArgument(
  scope: Scope,
  opts: { self?: string; ahead?: Record<string, string>; key?: string } = {},
): { counted: Record<string, unknown> } {
  return {
    counted: {
      ...(opts.key
        ? { key: js(opts.key) }
        : { state: js('$states.context.State.Name'), entered: js('$states.context.State.EnteredTime') }),
      passed: scope === inputScope ? NOTHING_PASSED : js(`$${PASSED}`),
      ...(opts.self === undefined ? {} : { self: opts.self }),
      ...(opts.ahead && Object.keys(opts.ahead).length ? { ahead: opts.ahead } : {}),
    },
  };
}

/** Of a handler's possible next steps by outcome, the pure ones: those it counts ahead. */
export function aheadOf(journey: Journey, targets: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [outcome, step] of Object.entries(targets)) if (step && isPureStep(journey, step)) out[outcome] = step;
  return out;
}

/**
 * The Assign of a handler Task once it returned: $passed is counted. When the handler counted its
 * next step ahead, it answers `passed: null`, which tells that step not to add itself.
 */
export function passedAfterTask(ahead?: Record<string, string>): Record<string, unknown> {
  if (!ahead || !Object.keys(ahead).length) return { [PASSED]: NOTHING_PASSED };
  return { [PASSED]: js(`$states.result.${PASSED}`) };
}
