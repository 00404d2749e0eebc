/**
 * Escalation (SPEC §3): rules over the customer's current session that move an instance to
 * `goto`, once per instance, as soon as they hold — by clock while the instance pauses (the pause
 * times out at the threshold) and on touchpoints (ingest wakes the paused instance).
 */

import {
  type CompiledRule,
  compiledRules,
  DEFAULT_SESSION_TIMEOUT_SECONDS,
  sessionTimeoutSeconds,
} from '../journey/escalation-rules';
import { instantMillis } from '../journey/instant';
import { keys } from '../store/keys';
import { when } from '../store/port';
import { getProfile } from '../store/profiles';
import { ESCALATED, getInstance } from './instances';
import { visitTime } from './iso-time';
import type { Deps } from './ports';
import { currentSession, isLive, type Session, type SessionFacts, sessionFacts } from './sessions';
import type { EscalationInput } from './task-input';
import { iso, record, recordNote } from './timeline';
import { nextLocalTime } from './zoned-time';

/** The largest TimeoutSeconds Step Functions takes. */
const MAX_TASK_TIMEOUT_SECONDS = 99_999_999;

/** Whether every clause of a rule holds. */
export function ruleHolds(rule: CompiledRule, f: SessionFacts): boolean {
  return (
    (rule.sessionElapsedSeconds === undefined || f.elapsedSeconds >= rule.sessionElapsedSeconds) &&
    (rule.channelsUsed === undefined || f.channels >= rule.channelsUsed) &&
    (rule.touchpoints === undefined || f.touchpoints >= rule.touchpoints)
  );
}

/** The first rule that holds and has not fired for this instance. */
export function firingRule(rules: CompiledRule[], f: SessionFacts, fired: readonly string[]): number | undefined {
  const i = rules.findIndex((r) => !fired.includes(r.id) && ruleHolds(r, f));
  return i < 0 ? undefined : i;
}

/**
 * When the clock alone will make a rule hold (its other clauses hold already), if ever: not once
 * the session has gone quiet, and not at a threshold it will go quiet before (a touchpoint that
 * keeps it live wakes the pause and the check runs again).
 */
export function nextThreshold(
  rules: CompiledRule[],
  session: Session | undefined,
  f: SessionFacts,
  fired: readonly string[],
  now: number,
): number | undefined {
  if (!session || !isLive(session, now)) return undefined;
  const quietAt = session.lastAt + session.timeoutSeconds * 1000;
  const times = rules
    .filter(
      (r) =>
        !fired.includes(r.id) &&
        r.sessionElapsedSeconds !== undefined &&
        ruleHolds({ ...r, sessionElapsedSeconds: undefined }, f),
    )
    .map((r) => session.firstAt + (r.sessionElapsedSeconds ?? 0) * 1000)
    .filter((at) => at <= quietAt);
  return times.length ? Math.min(...times) : undefined;
}

/**
 * The check at the start of an interruptible pause (and after each wake-up): escalate when a rule
 * holds, else say how long to pause — until the pause ends or the next threshold, whichever first.
 */
export async function escalationCheck(
  deps: Deps,
  input: EscalationInput,
): Promise<{ escalate: number; pauseEnd: null } | { timeoutSeconds: number; pauseEnd: string }> {
  const now = deps.clock.now();
  const [session, instance] = await Promise.all([
    currentSession(deps.table, input.customerId, input.sessionTimeoutSeconds ?? DEFAULT_SESSION_TIMEOUT_SECONDS),
    getInstance(deps, input.customerId, input.journey, input.instance),
  ]);
  const facts = sessionFacts(session, now);
  // A rule fired by this very visit (a re-run after a crash) fires again, idempotently.
  const fired = Object.entries(instance?.escalated ?? {})
    .filter(([, visit]) => visit !== input.visit)
    .map(([id]) => id);
  const firing = firingRule(input.rules, facts, fired);
  if (firing !== undefined && (await markFired(deps, input, input.rules, input.rules[firing]))) {
    await record(
      deps,
      {
        at: visitTime(input.visit, now),
        kind: 'escalated',
        journey: input.journey,
        version: input.version,
        customerId: input.customerId,
        instance: input.instance,
        step: input.rules[firing].goto,
        reason: input.rules[firing].id,
      },
      `${input.instance}#escalated#${input.rules[firing].id}`,
    );
    // pauseEnd is there, null, because the state assigns $states.result.pauseEnd: Step Functions
    // fails a JSONata expression that returns nothing (States.QueryEvaluationError).
    return { escalate: firing, pauseEnd: null };
  }
  const end = await pauseEnd(deps, input, now);
  const threshold = nextThreshold(input.rules, session, facts, fired, now);
  const until = Math.min(end, threshold ?? Number.POSITIVE_INFINITY);
  // A task's TimeoutSeconds is at most 99,999,999 (about 3.2 years): a longer pause times out at
  // that and is checked again, as every timed-out pause is.
  const seconds = Math.min(MAX_TASK_TIMEOUT_SECONDS, Math.max(0, Math.ceil((until - now) / 1000)));
  return { timeoutSeconds: seconds, pauseEnd: iso(end) };
}

async function pauseEnd(deps: Deps, input: EscalationInput, now: number): Promise<number> {
  if (input.untilLocalTime && !input.pauseEnd) {
    const zone = (await getProfile(deps.table, input.customerId))?.timezone ?? input.timezone ?? 'UTC';
    return nextLocalTime(now, zone, input.untilLocalTime);
  }
  // The same rule as a wait without escalation: a time ahead pauses; a time past, missing or
  // malformed ends the pause at once, and a wait `until` says which in the timeline.
  const end = instantMillis(input.pauseEnd);
  if (end === undefined || end <= now) {
    if (input.first && input.untilGiven)
      await recordNote(deps, input, end === undefined ? 'until-invalid' : 'until-passed');
    return now;
  }
  return end;
}

/**
 * Fire a rule at most once per instance: a conditional write of the visit that fired it, which
 * only that same visit can repeat. Rules leading to the same step fire together: once the
 * instance was sent there, the others' purpose is served, and escalating again would repeat the
 * hand-off.
 */
async function markFired(
  deps: Deps,
  input: EscalationInput,
  rules: CompiledRule[],
  rule: CompiledRule,
): Promise<boolean> {
  const same = rules.filter((r) => r.goto === rule.goto).map((r) => r.id);
  const updated = await deps.table.update(
    keys.customer(input.customerId),
    keys.instance(input.journey, input.instance),
    { set: Object.fromEntries(same.map((id) => [`${ESCALATED}${id}`, input.visit])) },
    {
      if: when.all(
        when.itemExists,
        when.any(when.absent(`${ESCALATED}${rule.id}`), when.equals(`${ESCALATED}${rule.id}`, input.visit)),
      ),
    },
  );
  return updated !== undefined;
}

/**
 * After a touchpoint: wake each paused instance of the customer for which a rule now holds, or
 * whose next threshold now comes before its pause would wake by itself — the touchpoint kept the
 * session live past it, or started a fresh session with a clock of its own. The woken check
 * escalates or parks again with the new timeout.
 */
export async function wakeEscalations(deps: Deps, customerId: string): Promise<void> {
  const pk = keys.customer(customerId);
  const wakes = await deps.table.queryAll(pk, { prefix: keys.escalationWakePrefix });
  if (!wakes.length) return;
  const now = deps.clock.now();
  // Paused instances of journeys with one timeout read the session once.
  const sessions = new Map<number, Promise<Session | undefined>>();
  const sessionFor = (timeout: number) => {
    if (!sessions.has(timeout)) sessions.set(timeout, currentSession(deps.table, customerId, timeout));
    return sessions.get(timeout)!;
  };
  for (const wake of wakes) {
    const journey = deps.catalog.get(wake.journey as string)?.journey;
    const rules = compiledRules(journey?.escalation);
    const session = await sessionFor(sessionTimeoutSeconds(journey));
    const facts = sessionFacts(session, now);
    const instance = await getInstance(deps, customerId, wake.journey as string, wake.instance as string);
    const fired = Object.keys(instance?.escalated ?? {});
    const threshold = nextThreshold(rules, session, facts, fired, now);
    const sooner = threshold !== undefined && typeof wake.timesOutAt === 'number' && threshold < wake.timesOutAt;
    if (firingRule(rules, facts, fired) === undefined && !sooner) continue;
    try {
      await deps.sfn.sendTaskSuccess({
        taskToken: wake.token as string,
        output: JSON.stringify({ escalate: 'check' }),
      });
    } catch (err) {
      if (!['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken'].includes((err as Error).name)) throw err;
    }
    await deps.table.delete(pk, wake.sk, { if: when.equals('token', wake.token as string) });
  }
}
