/** Instances of a customer: listing the active ones and ending one exactly once. */

import { keys } from '../store/keys';
import { type Cond, type Item, when } from '../store/port';
import type { InstanceRecord } from './entry';
import type { Deps } from './ports';
import { iso, record } from './timeline';

export type ExitReason = 'completed' | 'goal' | 'exit-event' | 'holdout' | 'timeout' | 'failed';

/** Attribute prefix of the escalation rules an instance fired: esc_<rule id> = the visit that fired it. */
export const ESCALATED = 'esc_';

/** One instance record of a customer, if there is one. */
export async function getInstance(
  deps: Pick<Deps, 'table'>,
  customerId: string,
  journey: string,
  instance: string,
): Promise<InstanceRecord | undefined> {
  const item = await deps.table.get(keys.customer(customerId), keys.instance(journey, instance));
  if (!item) return undefined;
  const escalated: Record<string, string> = {};
  for (const [k, v] of Object.entries(item))
    if (k.startsWith(ESCALATED)) escalated[k.slice(ESCALATED.length)] = String(v);
  return { ...(item as unknown as InstanceRecord), escalated };
}

/** The customer's instances that have not ended, from their records (every instance the customer ever had is read). */
export async function activeInstances(deps: Pick<Deps, 'table'>, customerId: string): Promise<InstanceRecord[]> {
  const items = await deps.table.queryAll(keys.customer(customerId), { prefix: keys.instancePrefix });
  return (items as unknown as InstanceRecord[]).filter((i) => i.status === 'starting' || i.status === 'active');
}

/**
 * What an event needs of a running instance to stop it: written at entry, removed when it ends.
 * `resumedBy`: the event that last completed one of its waitFors (that event is then no goal of it).
 */
export type LiveInstance = Pick<InstanceRecord, 'journey' | 'instance' | 'stateMachineArn' | 'stops'> & {
  resumedBy?: string;
};

/** Whether an instance record's instance was marked live (InstanceRecord.liveMark; records without it all were). */
const hasLiveMark = (record: Item) => record.liveMark !== false;

/** Mark an instance live (idempotent: the same content on every retry). */
export async function markLive(deps: Pick<Deps, 'table'>, customerId: string, live: LiveInstance): Promise<void> {
  const { journey, instance, stateMachineArn, stops } = live;
  await deps.table.put({
    pk: keys.customer(customerId),
    sk: keys.liveInstance(journey, instance),
    journey,
    instance,
    stateMachineArn,
    stops,
  });
}

/** The customer's live instances: one small item each, however many instances have ended. */
export async function liveInstances(deps: Pick<Deps, 'table'>, customerId: string): Promise<LiveInstance[]> {
  const items = await deps.table.queryAll(keys.customer(customerId), { prefix: keys.liveInstancePrefix });
  return items as unknown as LiveInstance[];
}

/**
 * Mark an instance ended, release its `concurrent: single` lock and record the exit line (with
 * the step it ended on, and why it failed). Only the first caller for an instance does
 * anything; returns whether it was this one.
 */
export async function endInstance(
  deps: Pick<Deps, 'table' | 'clock' | 'onTimeline'>,
  customerId: string,
  journey: string,
  instance: string,
  reason: ExitReason,
  where: {
    step?: string;
    error?: string;
    /** Make the end's write of the instance record (its changes and condition) together with another, if it can (countVisitsWith). */
    together?: (write: { set: Record<string, unknown>; if: Cond }) => Promise<Item | undefined>;
  } = {},
): Promise<boolean> {
  const { step, error } = where;
  const pk = keys.customer(customerId);
  const at = iso(deps.clock.now());
  const sk = keys.instance(journey, instance);
  const end = {
    set: { status: 'ended', endedAt: at, reason, ...(step ? { endStep: step } : {}) },
    if: when.in('status', ['starting', 'active']),
  };
  let ended = (await where.together?.(end)) ?? (await deps.table.update(pk, sk, { set: end.set }, { if: end.if }));
  let first = true;
  if (!ended) {
    // Ended already. If that was by this same step (a retry after a crash between the writes
    // below), finish the job with the recorded time: the same keys make it a no-op otherwise.
    const current = await deps.table.get(pk, sk);
    // Ended for another reason: only make sure it no longer reads as live (a crash may have left it).
    if (current?.status === 'ended' && hasLiveMark(current))
      await deps.table.delete(pk, keys.liveInstance(journey, instance));
    if (current?.status !== 'ended' || current.reason !== reason || (current.endStep as string | undefined) !== step)
      return false;
    ended = current;
    first = false;
  }
  // The lock is released if the journey took one (a record from before `locked` may have).
  if (ended.locked !== false)
    await deps.table.delete(pk, keys.activeLock(journey), { if: when.equals('instance', instance) });
  if (first && hasLiveMark(ended)) await deps.table.delete(pk, keys.liveInstance(journey, instance));
  await record(
    deps,
    {
      at: ended.endedAt as string,
      kind: 'exited',
      journey,
      version: ended.version as number,
      customerId,
      instance,
      ...(step ? { step } : {}),
      reason,
      ...(error ? { error } : {}),
    },
    `${instance}#exited`,
  );
  return first;
}
