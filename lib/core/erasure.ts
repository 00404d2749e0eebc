/**
 * Erasure (`DELETE /customers/{id}`): stop the customer's running instances, then delete everything
 * Baton keeps about them — profile, consent history, sessions and hand-off context, waits,
 * timeline, instance records, their message ledger items, the body of their events still being
 * processed, and locally the engine's execution records, the outbox and the dispatch log, purged
 * from the store's files. Only a count of erasures remains, so that later events for the id start
 * from nothing (new instance ids).
 */
import { keys } from '../store/keys';
import type { Table } from '../store/port';
import type { InstanceRecord } from './entry';
import { executionArnOf } from './entry';
import { erasePendingEvents } from './pending-events';
import type { Deps } from './ports';

/** How many times this customer was erased. */
export async function erasureEpoch(table: Table, customerId: string): Promise<number> {
  const item = await table.get(keys.customer(customerId), keys.erasures);
  return (item?.count as number | undefined) ?? 0;
}

export interface ErasureResult {
  stopped: number;
  deleted: number;
}

/** Erase a customer. Safe to repeat, also after a crash part-way. */
export async function eraseCustomer(deps: Deps, customerId: string): Promise<ErasureResult> {
  const pk = keys.customer(customerId);
  const instances = (await deps.table.queryAll(pk, { prefix: keys.instancePrefix })) as unknown as InstanceRecord[];
  const executions = instances.map((i) => i.executionArn ?? executionArnOf(i.stateMachineArn, i.instance));
  let stopped = 0;
  for (const [n, inst] of instances.entries()) {
    if (inst.status !== 'starting' && inst.status !== 'active') continue;
    try {
      await deps.sfn.stopExecution({
        executionArn: executions[n],
        error: 'Baton.Erased',
        cause: 'the customer was erased',
      });
      stopped++;
    } catch (err) {
      if ((err as Error).name !== 'ExecutionDoesNotExist') throw err;
    }
  }
  // Count first: if the deletion is interrupted, a retry still finds the count and finishes.
  await deps.table.update(pk, keys.erasures, { add: { count: 1 } });
  let deleted = await erasePendingEvents(deps.table, customerId);
  // Before the instance records, which name the executions: a retry after a crash still finds them.
  await deps.eraseLocal?.(customerId, executions);
  const items = await deps.table.queryAll(pk);
  for (const item of items) {
    if (item.sk === keys.erasures) continue;
    if (item.sk.startsWith(keys.messageIndexPrefix)) {
      await deps.table.delete(keys.message(item.messageId as string), keys.single);
      deleted++;
    }
    await deps.table.delete(pk, item.sk);
    deleted++;
  }
  await deps.purgeErased?.();
  return { stopped, deleted };
}
