/** Park a waitFor: store its task token where the customer's next matching event will find it. */
import { countVisits } from '../results/visits';
import { keys } from '../store/keys';
import type { Deps } from './ports';
import type { ParkInput } from './task-input';

/** Store the wait; a repeat of the same visit overwrites it with the same content. */
export async function park(deps: Pick<Deps, 'table' | 'clock'>, input: ParkInput): Promise<{ parked: true }> {
  const now = deps.clock.now();
  // A pause with no event of its own waits only to be woken (escalation) or to time out.
  if (input.event)
    await deps.table.put({
      pk: keys.customer(input.customerId),
      sk: keys.wait(input.event, input.instance, input.step),
      token: input.token,
      journey: input.journey,
      instance: input.instance,
      step: input.step,
      match: input.match,
      ...(input.keep ? { keep: input.keep } : {}),
      parkedAt: new Date(now).toISOString(),
      // A wait past its timeout is dead: read as absent, swept locally, expired by DynamoDB TTL on AWS.
      expiresAt: Math.ceil(now / 1000) + input.timeoutSeconds + 3600,
    });
  if (input.wake) {
    await deps.table.put({
      pk: keys.customer(input.customerId),
      sk: keys.escalationWake(input.instance),
      token: input.token,
      journey: input.journey,
      instance: input.instance,
      // When the pause wakes by itself: a touchpoint that brings a threshold sooner wakes it (escalation.ts).
      timesOutAt: now + input.timeoutSeconds * 1000,
      expiresAt: Math.ceil(now / 1000) + input.timeoutSeconds + 3600,
    });
  }
  // The waitFor's visit and what it passed: the task's result is the awaited event, so nothing is counted ahead.
  await countVisits(deps, input);
  return { parked: true };
}

/**
 * Whether an event's data satisfies match values (a waitFor's, a goal's, an exitOn's). A value that
 * was missing when it was resolved (undefined, or null from the state machine) matches no event:
 * the wait times out, the goal never fires, rather than any event of the type matching.
 */
export function dataMatches(data: Record<string, unknown> | undefined, match: Record<string, unknown>): boolean {
  return Object.entries(match).every(
    ([k, v]) => v !== undefined && v !== null && JSON.stringify(data?.[k]) === JSON.stringify(v),
  );
}
