/**
 * Entry of a customer into a journey: the trigger's `where`, instance identity from `dedupeBy`,
 * `entry.concurrent: single`, and an idempotent StartExecution. Every step is safe to repeat: a
 * crash anywhere and a redelivery of the event lead to the same single instance.
 */
import { conditionPaths, conditionToJsonata, valueToJsonata, variableScope } from '../journey/expressions';
import { keys } from '../store/keys';
import { getProfile } from '../store/profiles';
import type { CatalogEntry } from './catalog';
import type { Envelope } from './envelope';
import { instanceId } from './ids';
import { evaluate, holds } from './jsonata';
import type { Deps } from './ports';
import { iso, record, type TimelineEntry } from './timeline';

export type EntryOutcome = 'entered' | 'duplicate' | 'ignored';

/** The trigger as the state machine and expressions see it (customerId travels separately). */
export function triggerOf(event: Envelope) {
  const { customerId: _omit, ...trigger } = event;
  return { ...trigger, data: event.data ?? {} };
}

/** The instance record kept beside the customer's other items. */
export interface InstanceRecord {
  journey: string;
  version: number;
  instance: string;
  status: 'starting' | 'active' | 'ended';
  stateMachineArn: string;
  executionArn?: string;
  startedAt: string;
  endedAt?: string;
  reason?: string;
  /** Goal `match` values resolved at entry: an event ends the instance when its data equals them. */
  goalMatch?: Record<string, unknown>;
}

/** Try to start an instance of `entry` for this trigger event. */
export async function enterJourney(deps: Deps, entry: CatalogEntry, event: Envelope): Promise<EntryOutcome> {
  const { journey } = entry;
  const trigger = triggerOf(event);
  const at = iso(deps.clock.now());
  const dedupe = await Promise.all(
    (journey.trigger.dedupeBy ?? ['trigger.id']).map((p) => evaluate(valueToJsonata(p, variableScope), { trigger })),
  );
  const instance = instanceId(journey.id, event.customerId, dedupe);
  const pk = keys.customer(event.customerId);
  const sk = keys.instance(journey.id, instance);
  const line = (kind: TimelineEntry['kind'], reason?: string): TimelineEntry => ({
    at,
    kind,
    journey: journey.id,
    version: journey.version,
    customerId: event.customerId,
    instance,
    ...(reason ? { reason } : {}),
  });

  const existing = (await deps.table.get(pk, sk)) as InstanceRecord | undefined;
  if (existing && existing.status !== 'starting') return 'duplicate';

  if (!existing && journey.trigger.where) {
    const needsProfile = conditionPaths(journey.trigger.where).some((p) => p.path.startsWith('profile.'));
    const profile = needsProfile ? ((await getProfile(deps.table, event.customerId)) ?? {}) : undefined;
    const ok = await holds(conditionToJsonata(journey.trigger.where, variableScope), { trigger, profile });
    if (!ok) {
      await record(deps, line('ignored', 'where'), `${instance}#ignored#${event.id}`);
      return 'ignored';
    }
  }

  if (!(await takeActiveLock(deps, pk, journey.id, instance))) {
    await record(deps, line('ignored', 'already-active'), `${instance}#ignored#${event.id}`);
    return 'ignored';
  }

  const context = Object.fromEntries(
    await Promise.all(
      Object.entries(journey.context ?? {}).map(async ([k, v]) => [
        k,
        await evaluate(valueToJsonata(v, variableScope), { trigger }),
      ]),
    ),
  );
  const goalMatch = journey.goal?.match
    ? Object.fromEntries(
        await Promise.all(
          Object.entries(journey.goal.match).map(async ([k, v]) => [
            k,
            await evaluate(valueToJsonata(v, variableScope), { trigger, context }),
          ]),
        ),
      )
    : undefined;
  const starting: InstanceRecord = {
    journey: journey.id,
    version: journey.version,
    instance,
    status: 'starting',
    stateMachineArn: entry.stateMachineArn,
    startedAt: at,
    goalMatch,
  };
  if (!existing) await deps.table.put({ pk, sk, ...starting }, { ifAbsent: true });
  // Recorded before the start so that a fast instance's later lines never precede it.
  await record(deps, line('entered'), `${instance}#entered`);

  const input = JSON.stringify({ customerId: event.customerId, trigger, context, events: {} });
  let executionArn = executionArnOf(entry.stateMachineArn, instance);
  try {
    ({ executionArn } = await deps.sfn.startExecution({
      stateMachineArn: entry.stateMachineArn,
      name: instance,
      input,
    }));
  } catch (err) {
    // Closed already: this instance ran before and this is a redelivery.
    if ((err as Error).name !== 'ExecutionAlreadyExists') throw err;
  }
  await deps.table.update(pk, sk, {
    set: { status: 'active', executionArn },
    condition: { expression: '#s = :starting', names: { '#s': 'status' }, values: { ':starting': 'starting' } },
  });
  return 'entered';
}

/** The ARN Step Functions gives the execution named `name` of a state machine. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** How long a lock whose holder never recorded its instance (a crashed entry) blocks others. */
const ORPHAN_LOCK_MS = 5 * 60_000;

/**
 * concurrent: single — one active instance per customer and journey. The lock names its holder,
 * so a retry by the holder passes; a lock whose holder has ended, or whose entry crashed before
 * recording the instance, is taken over.
 */
async function takeActiveLock(deps: Pick<Deps, 'table' | 'clock'>, pk: string, journeyId: string, instance: string) {
  const sk = keys.activeLock(journeyId);
  const now = deps.clock.now();
  const lock = { pk, sk, instance, lockedAt: now };
  const holderIs = (who: string) => ({
    expression: 'attribute_not_exists(pk) OR #instance = :instance',
    names: { '#instance': 'instance' },
    values: { ':instance': who },
  });
  if (await deps.table.put(lock, { condition: holderIs(instance) })) return true;
  const current = await deps.table.get(pk, sk);
  if (!current) return deps.table.put(lock, { ifAbsent: true });
  const holder = current.instance as string;
  const held = await deps.table.get(pk, keys.instance(journeyId, holder));
  const free = held ? held.status === 'ended' : now - Number(current.lockedAt ?? 0) > ORPHAN_LOCK_MS;
  return free && deps.table.put(lock, { condition: holderIs(holder) });
}
