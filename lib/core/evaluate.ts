/**
 * Branch conditions over data that stays out of the state machine (profile, messages, session):
 * evaluated here, only the index of the first case that holds goes back.
 */
import { keys } from '../store/keys';
import { getProfile } from '../store/profiles';
import { holds } from './jsonata';
import type { Deps } from './ports';
import type { EvaluateInput } from './task-input';

export async function evaluateBranch(deps: Pick<Deps, 'table'>, input: EvaluateInput): Promise<{ case: number }> {
  const [profile, messages] = await Promise.all([
    getProfile(deps.table, input.customerId),
    stepMessages(deps, input.customerId, input.instance),
  ]);
  const bindings = {
    customerId: input.customerId,
    trigger: input.trigger,
    context: input.context,
    events: input.events,
    profile: profile ?? {},
    messages,
    session: {},
  };
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
