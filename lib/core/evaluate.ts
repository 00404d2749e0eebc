/**
 * Branch conditions over data that stays out of the state machine (profile, messages, session):
 * evaluated here, only the index of the first case that holds goes back.
 */
import { DEFAULT_SESSION_TIMEOUT_SECONDS } from '../journey/escalation-rules';
import { keys } from '../store/keys';
import { getProfile } from '../store/profiles';
import { holds } from './jsonata';
import type { Deps } from './ports';
import { currentSession, sessionFacts } from './sessions';
import type { EvaluateInput, LookupData, TaskBase } from './task-input';

/** Bindings for expressions evaluated by a handler: the instance data plus profile, messages, session. */
export async function lookupBindings(
  deps: Pick<Deps, 'table' | 'clock'>,
  input: TaskBase & LookupData,
): Promise<Record<string, unknown>> {
  const [profile, messages] = await Promise.all([
    getProfile(deps.table, input.customerId),
    stepMessages(deps, input.customerId, input.instance),
  ]);
  return {
    customerId: input.customerId,
    trigger: input.trigger,
    context: input.context,
    events: input.events,
    profile: profile ?? {},
    messages,
    session: sessionFacts(
      await currentSession(
        deps.table,
        input.customerId,
        input.sessionTimeoutSeconds ?? DEFAULT_SESSION_TIMEOUT_SECONDS,
      ),
      deps.clock.now(),
    ),
  };
}

/** The index of the first condition that holds, or -1. */
export async function evaluateBranch(
  deps: Pick<Deps, 'table' | 'clock'>,
  input: EvaluateInput,
): Promise<{ case: number }> {
  const bindings = await lookupBindings(deps, input);
  for (let i = 0; i < input.conditions.length; i++) {
    if (await holds(input.conditions[i], bindings)) return { case: i };
  }
  return { case: -1 };
}

/** messages.<step>.status|channel for an instance. */
export async function stepMessages(deps: Pick<Deps, 'table'>, customerId: string, instance: string) {
  const items = await deps.table.queryAll(keys.customer(customerId), { prefix: keys.stepMessagePrefix(instance) });
  return Object.fromEntries(items.map((i) => [i.step as string, { status: i.status, channel: i.channel }]));
}
