/**
 * Journey validation (SPEC §3 "Validation"): pure, returns every problem at once as data, each with
 * the JSON pointer of the culprit and a message naming the value found and what is allowed.
 */
import type { SegmentFileRead } from '../audience/segment-file';
import { pathDeeperThan } from '../core/nesting';
import type { TemplateCheck } from '../core/templates';
import { isValidTimeZone } from '../core/zoned-time';
import { audienceProblems, startProblems } from './audience-problems';
import { durationSeconds, ONE_YEAR_SECONDS } from './duration';
import { MAX_SESSION_TIMEOUT_SECONDS } from './escalation-rules';
import { comparisonOperator, conditionComparisons, conditionPaths, parseExpr, type Root } from './expressions';
import { instantMillis, isCalendarDate, isUntilLiteral } from './instant';
import { assertNever, type Journey, journeySchema, STEP_ID_PATTERN, type Step, type StepOf, show } from './schema';
import { looseGotos, looseStart, looseSteps, pointerOf, schemaProblems, valueAt } from './schema-problems';
import { channelsOf, stepMaxSeconds, stepTargets } from './steps';
import { templateProblems } from './template-problems';

export interface Problem {
  pointer: string;
  code: string;
  message: string;
}

/** What validation needs to know about the world beyond the document. */
export interface ValidationEnv {
  /** Whether `templates/<template>.<channel>.liquid` exists beside the journey file. */
  templateExists(template: string, channel: string): boolean;
  /** The template parsed, with what it reads (lib/core/templates checkTemplate); not checked without it. */
  checkTemplate?(template: string, channel: string): TemplateCheck | undefined;
  /** An audience's segment file beside the journey file, read; undefined when there is none. Not checked without it. */
  segmentFile?(file: string): SegmentFileRead | undefined;
}

/** Deeper than any journey needs; deep enough to keep every recursive check below far from the stack's limit. */
const MAX_DEPTH = 64;

export type ValidationResult = { ok: true; journey: Journey; problems: [] } | { ok: false; problems: Problem[] };

export { pointerOf };

/** Validate a parsed JSON document as a journey. */
export function validateJourney(doc: unknown, env: ValidationEnv): ValidationResult {
  const deep = pathDeeperThan(doc, MAX_DEPTH);
  if (deep) {
    // The schema and the checks below recurse; a document this deep would overflow the stack.
    return {
      ok: false,
      problems: [
        {
          pointer: pointerOf(deep),
          code: 'too-deep',
          message: `the journey nests more than ${MAX_DEPTH} levels deep here, found ${show(valueAt(doc, deep))}; no journey needs that, flatten it`,
        },
      ],
    };
  }
  const parsed = journeySchema.safeParse(doc);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => schemaProblems(issue, doc));
    problems.push(...startProblems(doc));
    problems.push(...referenceProblems(looseSteps(doc), looseStart(doc), looseGotos(doc)));
    return { ok: false, problems: dedupe(problems) };
  }
  const journey = parsed.data;
  const problems = [
    ...startProblems(doc),
    ...audienceProblems(journey, env.segmentFile),
    ...referenceProblems(
      journey.steps,
      journey.start,
      (journey.escalation ?? []).map((r) => r.goto),
    ),
    ...stepProblems(journey, env),
    ...loopProblems(journey),
    ...durationProblems(journey),
    ...settingsProblems(journey),
    ...(env.checkTemplate
      ? templateProblems(journey, env.checkTemplate).map(({ step, code, message }) => ({
          pointer: pointerOf(['steps', step, 'template']),
          code,
          message,
        }))
      : []),
  ];
  return problems.length ? { ok: false, problems: dedupe(problems) } : { ok: true, journey, problems: [] };
}

/**
 * Unknown step names, and steps no path reaches: from start, or from an escalation's goto (a
 * rule moves the instance there from any pause).
 */
function referenceProblems(steps: Record<string, Step>, start: string | undefined, gotos: string[]): Problem[] {
  const problems: Problem[] = [];
  const ids = Object.keys(steps);
  for (const id of ids) {
    if (!STEP_ID_PATTERN.test(id)) {
      problems.push({
        pointer: pointerOf(['steps', id]),
        code: 'bad-step-id',
        message: `step id ${show(id)} must match ^[a-z][a-z0-9-]{0,62}$`,
      });
    }
  }
  const known = `steps are: ${ids.join(', ') || '(none)'}`;
  if (start !== undefined && !(start in steps)) {
    problems.push({
      pointer: '/start',
      code: 'unknown-step',
      message: `start names step ${show(start)}, which does not exist; ${known}`,
    });
  }
  for (const id of ids) {
    for (const t of stepTargets(steps[id])) {
      if (typeof t.target === 'string' && !(t.target in steps)) {
        problems.push({
          pointer: pointerOf(['steps', id, ...t.path]),
          code: 'unknown-step',
          message: `${t.path.join('.')} names step ${show(t.target)}, which does not exist; ${known}`,
        });
      }
    }
  }
  if (start !== undefined && start in steps) {
    const seen = reachable(steps, [start, ...gotos]);
    const from = gotos.length ? `start ${show(start)} or an escalation goto` : `start ${show(start)}`;
    for (const id of ids) {
      if (!seen.has(id)) {
        problems.push({
          pointer: pointerOf(['steps', id]),
          code: 'unreachable-step',
          message: `step ${show(id)} is unreachable: no path from ${from} leads to it`,
        });
      }
    }
  }
  return problems;
}

function reachable(steps: Record<string, Step>, from: string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...from];
  while (todo.length) {
    const id = todo.pop()!;
    if (seen.has(id) || !(id in steps)) continue;
    seen.add(id);
    for (const t of stepTargets(steps[id])) if (typeof t.target === 'string') todo.push(t.target);
  }
  return seen;
}

/** Which roots each place in a journey may read, and what they mean there. */
function pathProblems(
  journey: Journey,
  pointer: string,
  value: unknown,
  allowed: readonly Root[],
  where: string,
): Problem[] {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return [];
  const expr = parseExpr(value);
  if (expr.kind === 'error') return [{ pointer, code: 'bad-path', message: expr.message }];
  if (expr.kind === 'literal') return [];
  if (!allowed.includes(expr.root)) {
    return [
      {
        pointer,
        code: 'bad-path',
        message: `${show(value)} reads ${expr.root}.*, which ${where} cannot see; allowed roots here: ${allowed.join(', ')}`,
      },
    ];
  }
  const [first, second] = expr.segments;
  const step = first === undefined ? undefined : journey.steps[first];
  switch (expr.root) {
    case 'context':
      if (first !== undefined && !(first in (journey.context ?? {}))) {
        const keys = Object.keys(journey.context ?? {});
        return [
          {
            pointer,
            code: 'bad-path',
            message: `${show(value)} reads context.${first}, which the journey's context does not define; defined: ${keys.join(', ') || '(none)'}`,
          },
        ];
      }
      return [];
    case 'events':
      if (step?.type !== 'waitFor') {
        return [
          {
            pointer,
            code: 'bad-path',
            message: `${show(value)}: events.<step> must name a waitFor step, found ${show(first)}`,
          },
        ];
      }
      return [];
    case 'messages':
      if (step?.type !== 'send') {
        return [
          {
            pointer,
            code: 'bad-path',
            message: `${show(value)}: messages.<step> must name a send step, found ${show(first)}`,
          },
        ];
      }
      if (second !== 'status' && second !== 'channel') {
        return [
          {
            pointer,
            code: 'bad-path',
            message: `${show(value)}: a message has status or channel, found ${show(second)}`,
          },
        ];
      }
      return [];
    case 'session':
      if (!['elapsedSeconds', 'channels', 'touchpoints'].includes(first ?? '')) {
        return [
          {
            pointer,
            code: 'bad-path',
            message: `${show(value)}: session has elapsedSeconds, channels and touchpoints, found ${show(first)}`,
          },
        ];
      }
      return [];
    case 'trigger':
      return journey.audience ? audienceTriggerProblems(pointer, value, expr.segments) : [];
    case 'profile':
      return [];
    default:
      return assertNever(expr.root);
  }
}

/** What an audience journey's trigger has (SPEC §6): `{id, type: "audience.run", channel, time, data: {runAt}}`. */
const AUDIENCE_TRIGGER_FIELDS = ['id', 'type', 'channel', 'time', 'data'];

function audienceTriggerProblems(pointer: string, value: unknown, segments: string[]): Problem[] {
  const [first, second] = segments;
  const known =
    first === undefined ||
    (AUDIENCE_TRIGGER_FIELDS.includes(first) && (first !== 'data' || second === undefined || second === 'runAt'));
  if (known) return [];
  return [
    {
      pointer,
      code: 'bad-path',
      message: `${show(value)} reads trigger.${segments.join('.')}, which an audience journey's trigger does not have: it has id, type, channel, time and data.runAt`,
    },
  ];
}

function conditionProblems(
  journey: Journey,
  cond: Parameters<typeof conditionPaths>[0],
  base: string,
  allowed: readonly Root[],
  where: string,
) {
  const problems: Problem[] = [];
  for (const { pointer, comparison } of conditionComparisons(cond, base)) {
    const op = comparisonOperator(comparison);
    if ('error' in op) problems.push({ pointer, code: 'bad-condition', message: op.error });
  }
  for (const { pointer, path } of conditionPaths(cond, base)) {
    problems.push(...pathProblems(journey, pointer, path, allowed, where));
  }
  return problems;
}

const ALL_ROOTS: readonly Root[] = ['trigger', 'profile', 'context', 'events', 'messages', 'session'];

function stepProblems(journey: Journey, env: ValidationEnv): Problem[] {
  const problems: Problem[] = [];
  const trigger = journey.trigger;
  if (trigger?.where)
    problems.push(
      ...conditionProblems(journey, trigger.where, '/trigger/where', ['trigger', 'profile'], 'an entry rule'),
    );
  const segment = journey.audience?.segment;
  if (segment && 'where' in segment)
    problems.push(
      ...conditionProblems(journey, segment.where, '/audience/segment/where', ['profile'], 'an audience segment'),
    );
  trigger?.dedupeBy?.forEach((p, i) => {
    problems.push(...pathProblems(journey, `/trigger/dedupeBy/${i}`, p, ['trigger'], 'dedupeBy'));
  });
  for (const [key, value] of Object.entries(journey.context ?? {})) {
    problems.push(
      ...pathProblems(journey, pointerOf(['context', key]), value, ['trigger'], 'context (computed at entry)'),
    );
  }
  for (const [key, value] of Object.entries(journey.goal?.match ?? {})) {
    problems.push(
      ...pathProblems(journey, pointerOf(['goal', 'match', key]), value, ['trigger', 'context'], 'a goal match'),
    );
  }
  journey.exitOn?.forEach((rule, i) => {
    for (const [key, value] of Object.entries(rule.match ?? {})) {
      problems.push(
        ...pathProblems(
          journey,
          pointerOf(['exitOn', i, 'match', key]),
          value,
          ['trigger', 'context'],
          'an exitOn match',
        ),
      );
    }
  });
  journey.escalation?.forEach((rule, i) => {
    if (Object.keys(rule.when).length === 0) {
      problems.push({
        pointer: pointerOf(['escalation', i, 'when']),
        code: 'empty-rule',
        message: 'an escalation rule needs at least one of sessionElapsed, channelsUsed, touchpoints',
      });
    }
    if (!(rule.goto in journey.steps)) {
      problems.push({
        pointer: pointerOf(['escalation', i, 'goto']),
        code: 'unknown-step',
        message: `goto names step ${show(rule.goto)}, which does not exist; steps are: ${Object.keys(journey.steps).join(', ')}`,
      });
    }
  });
  const ids = journey.escalation?.map((r) => r.id) ?? [];
  ids.forEach((id, i) => {
    if (ids.indexOf(id) !== i) {
      problems.push({
        pointer: pointerOf(['escalation', i, 'id']),
        code: 'duplicate-id',
        message: `escalation id ${show(id)} is used twice`,
      });
    }
  });
  for (const [id, step] of Object.entries(journey.steps)) {
    problems.push(...problemsOfStep(journey, id, step, env));
  }
  return problems;
}

/** Roots a handler can read; steps evaluated by a handler may use all of them. */
const HANDLER_ROOTS: readonly Root[] = ALL_ROOTS;
/** Roots that travel in the state machine (no personal data). */
const STATE_ROOTS: readonly Root[] = ['trigger', 'context', 'events'];

function problemsOfStep(journey: Journey, id: string, step: Step, env: ValidationEnv): Problem[] {
  const problems: Problem[] = [];
  const at = (...path: (string | number)[]) => pointerOf(['steps', id, ...path]);
  switch (step.type) {
    case 'send':
      for (const channel of channelsOf(step)) {
        if (!env.templateExists(step.template, channel)) {
          const why =
            step.channel === 'preferred' || step.channel === 'best'
              ? ` (channel ${step.channel} may pick any channel)`
              : '';
          problems.push({
            pointer: at('template'),
            code: 'missing-template',
            message: `no ${channel} template ${show(step.template)}${why}: expected templates/${step.template}.${channel}.liquid beside the journey file`,
          });
        }
      }
      if (step.fallback?.includes(step.channel as never)) {
        problems.push({
          pointer: at('fallback'),
          code: 'bad-fallback',
          message: `fallback repeats the step's own channel ${show(step.channel)}`,
        });
      }
      break;
    case 'wait': {
      const given = (['for', 'until', 'untilLocalTime'] as const).filter((k) => step[k] !== undefined);
      if (given.length !== 1) {
        problems.push({
          pointer: at(),
          code: 'bad-wait',
          message: `a wait takes exactly one of for, until, untilLocalTime; found ${given.length ? given.join(', ') : 'none'}`,
        });
      }
      if (step.until !== undefined) problems.push(...untilProblems(journey, at('until'), step.until));
      break;
    }
    case 'waitFor':
      for (const [key, value] of Object.entries(step.match ?? {})) {
        problems.push(...pathProblems(journey, at('match', key), value, STATE_ROOTS, 'a waitFor match'));
      }
      break;
    case 'branch':
      step.cases.forEach((c, i) => {
        problems.push(...conditionProblems(journey, c.if, at('cases', i, 'if'), ALL_ROOTS, 'a branch'));
      });
      break;
    case 'split':
      if (step.paths.filter((p) => 'exit' in p).length > 1) {
        problems.push({ pointer: at('paths'), code: 'bad-split', message: 'a split has at most one holdout path' });
      }
      problems.push(...optimizeProblems(journey, step, at('optimize')));
      break;
    case 'handoff': {
      const keys = Object.keys(journey.context ?? {});
      step.carry.forEach((key, i) => {
        if (!keys.includes(key)) {
          problems.push({
            pointer: at('carry', i),
            code: 'bad-carry',
            message: `carry names ${show(key)}, which the journey's context does not define; defined: ${keys.join(', ') || '(none)'}`,
          });
        }
      });
      if (step.reason !== undefined)
        problems.push(...pathProblems(journey, at('reason'), step.reason, STATE_ROOTS, 'a handoff reason'));
      break;
    }
    case 'action':
      for (const [key, value] of Object.entries(step.payload ?? {})) {
        problems.push(...pathProblems(journey, at('payload', key), value, HANDLER_ROOTS, 'an action payload'));
      }
      break;
    case 'update':
      for (const [key, value] of Object.entries(step.set)) {
        problems.push(...pathProblems(journey, at('set', key), value, HANDLER_ROOTS, 'an update'));
      }
      break;
    case 'end':
      break;
    default:
      assertNever(step);
  }
  return problems;
}

/** split.optimize picks a winner by conversion: the journey needs a goal, and two paths to choose from. */
function optimizeProblems(journey: Journey, step: StepOf<'split'>, pointer: string): Problem[] {
  if (!step.optimize) return [];
  const problems: Problem[] = [];
  if (!journey.goal) {
    problems.push({
      pointer,
      code: 'bad-optimize',
      message:
        'split.optimize chooses the path that converts best, so the journey needs a goal; add "goal": {"event": ...}',
    });
  }
  const continuing = step.paths.filter((p) => 'next' in p).length;
  if (continuing < 2) {
    problems.push({
      pointer,
      code: 'bad-optimize',
      message: `split.optimize chooses among the paths that continue (not the holdout), so it needs at least two; found ${continuing}`,
    });
  }
  return problems;
}

/** A wait's `until`: a time the run can read (a literal, checked now), or a path (checked when it is read). */
function untilProblems(journey: Journey, pointer: string, until: string): Problem[] {
  const parsed = parseExpr(until);
  const literal = isUntilLiteral(until) ? until : parsed.kind === 'literal' ? parsed.value : undefined;
  if (literal === undefined)
    return pathProblems(journey, pointer, until, STATE_ROOTS, 'wait until (an RFC 3339 time or a path)');
  if (typeof literal === 'string' && instantMillis(literal) !== undefined && isCalendarDate(literal)) return [];
  return [
    {
      pointer,
      code: 'bad-time',
      message: `${show(until)} is not an RFC 3339 time with an offset such as "2026-03-01T10:00:00Z" or "2026-03-01T10:00:00-05:00" (seconds may be left out), nor a path such as trigger.data.appointmentAt`,
    },
  ];
}

/** Steps that take time before moving on; a loop must contain one. */
function pauses(step: Step): boolean {
  return step.type === 'wait' || step.type === 'waitFor';
}

function loopProblems(journey: Journey): Problem[] {
  // Depth-first search over edges out of steps that do not pause; a back edge is an instant loop.
  const problems: Problem[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string) => {
    state.set(id, 'open');
    stack.push(id);
    const step = journey.steps[id];
    if (step && !pauses(step)) {
      for (const t of stepTargets(step)) {
        if (typeof t.target !== 'string' || !(t.target in journey.steps)) continue;
        const s = state.get(t.target);
        if (s === 'open') {
          const cycle = [...stack.slice(stack.indexOf(t.target)), t.target];
          problems.push({
            pointer: pointerOf(['steps', id, ...t.path]),
            code: 'loop-without-wait',
            message: `steps ${cycle.join(' -> ')} form a loop with no wait or waitFor in it; add a wait to the loop`,
          });
        } else if (s === undefined) visit(t.target);
      }
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of Object.keys(journey.steps)) if (!state.has(id)) visit(id);
  return problems;
}

function stepSeconds(step: Step): number {
  return stepMaxSeconds(step, durationSeconds);
}

function durationProblems(journey: Journey): Problem[] {
  const problems: Problem[] = [];
  const longerThanAYear = (pointer: string, value: string) => {
    if ((durationSeconds(value) ?? 0) > ONE_YEAR_SECONDS) {
      problems.push({
        pointer,
        code: 'too-long',
        message: `${show(value)} is longer than one year, the most a journey may last`,
      });
    }
  };
  // These become a TimeoutSeconds, which Step Functions wants at least 1.
  const noTimeAtAll = (pointer: string, value: string, what: string) => {
    if (durationSeconds(value) === 0) {
      problems.push({
        pointer,
        code: 'zero-duration',
        message: `${show(value)} is no time at all; ${what} is at least PT1S`,
      });
    }
  };
  for (const [id, step] of Object.entries(journey.steps)) {
    if (step.type === 'wait' && step.for) longerThanAYear(pointerOf(['steps', id, 'for']), step.for);
    if (step.type === 'waitFor') {
      longerThanAYear(pointerOf(['steps', id, 'timeout']), step.timeout);
      noTimeAtAll(pointerOf(['steps', id, 'timeout']), step.timeout, 'a waitFor timeout');
    }
    if (step.type === 'send' && typeof step.timing === 'object')
      longerThanAYear(pointerOf(['steps', id, 'timing', 'within']), step.timing.within);
  }
  const maxDuration = journey.settings?.maxDuration;
  if (maxDuration) {
    longerThanAYear('/settings/maxDuration', maxDuration);
    noTimeAtAll('/settings/maxDuration', maxDuration, 'maxDuration');
  }
  if (journey.entry?.cooldown) longerThanAYear('/entry/cooldown', journey.entry.cooldown);
  if (journey.goal?.within) {
    longerThanAYear('/goal/within', journey.goal.within);
    noTimeAtAll('/goal/within', journey.goal.within, 'goal.within');
  }
  for (const [id, step] of Object.entries(journey.steps))
    if (step.type === 'split' && step.optimize)
      longerThanAYear(pointerOf(['steps', id, 'optimize', 'after']), step.optimize.after);
  // With maxDuration the instance ends in time whatever the path; without, the longest path counts.
  if (maxDuration) return problems;
  const memo = new Map<string, number>();
  const onPath = new Set<string>();
  let unbounded = false;
  const longest = (id: string): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const step = journey.steps[id];
    if (!step) return 0;
    if (onPath.has(id)) {
      unbounded = true;
      return 0;
    }
    onPath.add(id);
    let best = 0;
    for (const t of stepTargets(step)) if (typeof t.target === 'string') best = Math.max(best, longest(t.target));
    onPath.delete(id);
    const total = stepSeconds(step) + best;
    memo.set(id, total);
    return total;
  };
  const total = longest(journey.start);
  if (unbounded) {
    problems.push({
      pointer: '/settings',
      code: 'unbounded',
      message: 'the journey can loop, so it could run past one year; set settings.maxDuration (at most P1Y)',
    });
  } else if (total > ONE_YEAR_SECONDS) {
    problems.push({
      pointer: '/steps',
      code: 'too-long',
      message: `the longest path from start waits ${Math.round(total / 86400)} days in all, more than one year, the most a journey may last; shorten it or set settings.maxDuration`,
    });
  }
  return problems;
}

function settingsProblems(journey: Journey): Problem[] {
  const problems: Problem[] = [];
  const zone = journey.settings?.timezone;
  if (zone !== undefined && !isValidTimeZone(zone)) {
    problems.push({
      pointer: '/settings/timezone',
      code: 'bad-timezone',
      message: `${show(zone)} is not an IANA time zone such as "America/New_York" or "UTC"`,
    });
  }
  const quiet = journey.settings?.quietHours;
  const usesLocalTime = Object.values(journey.steps).some(
    (s) => (s.type === 'send' && typeof s.timing === 'object') || (s.type === 'wait' && s.untilLocalTime !== undefined),
  );
  if ((quiet || usesLocalTime) && zone === undefined) {
    // A customer without a zone must never get a message at a forbidden hour: the journey's zone is the fallback.
    problems.push({
      pointer: '/settings',
      code: 'missing-timezone',
      message: `settings.timezone is required when the journey ${quiet ? 'has quiet hours' : 'uses local times'}: it is the zone used for customers whose profile has none`,
    });
  }
  const timeout = journey.settings?.sessionTimeout;
  const timeoutSeconds = timeout === undefined ? undefined : durationSeconds(timeout);
  if (
    timeoutSeconds !== undefined &&
    (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > MAX_SESSION_TIMEOUT_SECONDS)
  ) {
    problems.push({
      pointer: '/settings/sessionTimeout',
      code: 'bad-session-timeout',
      message: `sessionTimeout must be whole seconds from PT1S to P1D, such as "PT30M", found ${show(timeout)} (${timeoutSeconds} s)`,
    });
  }
  if (quiet && quiet.start === quiet.end) {
    problems.push({
      pointer: '/settings/quietHours/end',
      code: 'bad-quiet-hours',
      message: `quiet hours start and end at the same time (${quiet.start}); give a window such as 21:00 to 08:00`,
    });
  }
  return problems;
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.pointer}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
