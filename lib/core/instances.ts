/** Instances of a customer: listing the active ones and ending one exactly once. */
import { keys } from '../store/keys';
import type { InstanceRecord } from './entry';
import type { Deps } from './ports';
import { iso, record } from './timeline';

export type ExitReason = 'completed' | 'goal' | 'exit-event' | 'holdout' | 'timeout' | 'failed';

/** One instance record of a customer, if there is one. */
export async function getInstance(
  deps: Pick<Deps, 'table'>,
  customerId: string,
  journey: string,
  instance: string,
): Promise<InstanceRecord | undefined> {
  const item = await deps.table.get(keys.customer(customerId), keys.instance(journey, instance));
  if (!item) return undefined;
  // `escalated` is a string set in the table.
  const escalated = item.escalated instanceof Set ? [...(item.escalated as Set<string>)].sort() : undefined;
  return { ...(item as unknown as InstanceRecord), ...(escalated ? { escalated } : {}) };
}

/** The customer's instances that have not ended. */
export async function activeInstances(deps: Pick<Deps, 'table'>, customerId: string): Promise<InstanceRecord[]> {
  const items = await deps.table.queryAll(keys.customer(customerId), { prefix: keys.instancePrefix });
  return (items as unknown as InstanceRecord[]).filter((i) => i.status === 'starting' || i.status === 'active');
}

/**
 * Mark an instance ended, release its `concurrent: single` lock and record the exit line.
 * Only the first caller for an instance does anything; returns whether it was this one.
 */
export async function endInstance(
  deps: Pick<Deps, 'table' | 'clock' | 'onTimeline'>,
  customerId: string,
  journey: string,
  instance: string,
  reason: ExitReason,
  step?: string,
): Promise<boolean> {
  const pk = keys.customer(customerId);
  const at = iso(deps.clock.now());
  const ended = await deps.table.update(pk, keys.instance(journey, instance), {
    set: { status: 'ended', endedAt: at, reason },
    condition: {
      expression: '#s IN (:starting, :active)',
      names: { '#s': 'status' },
      values: { ':starting': 'starting', ':active': 'active' },
    },
  });
  if (!ended) return false;
  await deps.table.delete(pk, keys.activeLock(journey), {
    expression: '#i = :i',
    names: { '#i': 'instance' },
    values: { ':i': instance },
  });
  await record(
    deps,
    {
      at,
      kind: 'exited',
      journey,
      version: ended.version as number,
      customerId,
      instance,
      ...(step ? { step } : {}),
      reason,
    },
    `${instance}#exited`,
  );
  return true;
}
