/**
 * Erasure (`DELETE /customers/{id}`): stop the customer's running instances, then delete everything
 * Baton keeps about them — profile, consent history, sessions and hand-off context, waits,
 * timeline, instance records, and their message ledger items. Only a count of erasures remains, so
 * that later events for the id start from nothing (new instance ids).
 */
import { keys } from '../store/keys';
import type { Table } from '../store/table';
import { executionArnOf } from './entry';
import { activeInstances } from './instances';
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

/** Erase a customer. Safe to repeat. */
export async function eraseCustomer(deps: Deps, customerId: string): Promise<ErasureResult> {
  const pk = keys.customer(customerId);
  let stopped = 0;
  for (const inst of await activeInstances(deps, customerId)) {
    try {
      await deps.sfn.stopExecution({
        executionArn: inst.executionArn ?? executionArnOf(inst.stateMachineArn, inst.instance),
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
  let deleted = 0;
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
  await deps.eraseLocal?.(customerId);
  return { stopped, deleted };
}
