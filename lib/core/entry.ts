/**
 * Entry of a customer into a journey: the trigger's `where`, instance identity from `dedupeBy`,
 * `entry.concurrent: single`, and an idempotent StartExecution. Every step is safe to repeat: a
 * crash anywhere and a redelivery of the event lead to the same single instance.
 */

import { executionArnOf } from '../engine/arns';
import { isPureStep } from '../journey/compile-visits';
import { durationSeconds } from '../journey/duration';
import { conditionPaths, conditionToJsonata, valueToJsonata, variableScope } from '../journey/expressions';
import { type Keep, triggerKeep } from '../journey/reads';
import type { Journey, ValueExpr } from '../journey/schema';
import { DEFAULT_GOAL_WITHIN, watchGoal } from '../results/conversion';
import { metric } from '../results/metrics';
import { keys } from '../store/keys';
import { type Cond, when } from '../store/port';
import { getProfile } from '../store/profiles';
import type { CatalogEntry } from './catalog';
import type { Envelope } from './envelope';
import { erasureEpoch } from './erasure';
import { instanceId } from './ids';
import { markLive } from './instances';
import { evaluate, holds } from './jsonata';
import type { Deps } from './ports';
import { project } from './projection';
import { journeyTemplateTriggerPaths } from './template-reads';
import { iso, record, type TimelineEntry } from './timeline';

export { executionArnOf };

/** Why a trigger was ignored (its `ignored` line's reason). */
export type IgnoredReason = 'where' | 'already-active' | 'cooldown' | 'limit';

/** What became of a trigger: `duplicate` when this instance exists already (entered before). */
export type EntryOutcome = { outcome: 'entered' | 'duplicate' } | { outcome: 'ignored'; reason: IgnoredReason };

/** The trigger as the state machine and expressions see it (customerId travels separately). */
export function triggerOf(event: Envelope) {
  const { customerId: _omit, ...trigger } = event;
  return { ...trigger, data: event.data ?? {} };
}

/** An event that ends an instance when its data equals `match`. */
export interface StopRule {
  event: string;
  match: Record<string, unknown>;
  reason: 'goal' | 'exit-event';
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
  /** Events that end the instance (goal, exitOn), with match values resolved at entry. */
  stops: StopRule[];
  /**
   * Whether the instance has a live mark (instances.ts markLive): false when no event can stop it
   * (no stops), so that nothing is written for it. Absent on a record from before this was decided
   * per instance: every instance had one then.
   */
  liveMark?: boolean;
  /** False when the journey takes no active lock (`concurrent: multiple`); absent on records from before this was kept. */
  locked?: boolean;
  /** Escalation rules that fired (each once per instance), with the pause visit that fired them. */
  escalated?: Record<string, string>;
  /** While starting: the execution input, so that an entry cut short by a crash can be finished by anyone. */
  input?: string;
  /** The end of the goal's window (ISO): the instance converts when its goal arrives until then. */
  convertsUntil?: string;
  /** The start step, when the entry counts its first visit (a bare wait or branch cannot: compile-visits.ts). */
  countsStart?: string;
}

/**
 * Try to start an instance of `entry` for this trigger event, as of `asOf` (engine time, ms): when
 * the trigger was first accepted, so that an attempt again after a crash dates its `ignored` line,
 * and its instance, as the first attempt did (the line's key starts with its time).
 */
export async function enterJourney(
  deps: Deps,
  entry: CatalogEntry,
  event: Envelope,
  asOf = deps.clock.now(),
): Promise<EntryOutcome> {
  const { journey } = entry;
  const trigger = triggerOf(event);
  const at = iso(asOf);
  // An audience journey's instance is one per run (SPEC §6): journey + customer + runAt.
  const dedupe = journey.trigger
    ? await Promise.all(
        (journey.trigger.dedupeBy ?? ['trigger.id']).map((p) =>
          evaluate(valueToJsonata(p, variableScope), { trigger }),
        ),
      )
    : [trigger.data.runAt];
  const instance = instanceId(journey.id, event.customerId, dedupe, await erasureEpoch(deps.table, event.customerId));
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
  if (existing && existing.status !== 'starting') return { outcome: 'duplicate' };

  const where = journey.trigger?.where;
  if (!existing && where) {
    const needsProfile = conditionPaths(where).some((p) => p.path.startsWith('profile.'));
    const profile = needsProfile ? ((await getProfile(deps.table, event.customerId)) ?? {}) : undefined;
    const ok = await holds(conditionToJsonata(where, variableScope), { trigger, profile });
    if (!ok) {
      await record(deps, line('ignored', 'where'), `${instance}#ignored#${event.id}`);
      return { outcome: 'ignored', reason: 'where' };
    }
  }

  const single = (journey.entry?.concurrent ?? 'single') === 'single';
  if (single && !(await takeActiveLock(deps, event.customerId, journey.id, instance))) {
    await record(deps, line('ignored', 'already-active'), `${instance}#ignored#${event.id}`);
    return { outcome: 'ignored', reason: 'already-active' };
  }
  if (!existing) {
    const refused = await countEntry(deps, pk, journey, instance);
    if (refused) {
      if (single) await releaseActiveLock(deps, pk, journey.id, instance);
      await record(deps, line('ignored', refused), `${instance}#ignored#${event.id}`);
      return { outcome: 'ignored', reason: refused };
    }
  }

  const context = await evaluateAll(journey.context ?? {}, { trigger });
  // Goal and exitOn match values are resolved now: later events are compared with them.
  const stops: StopRule[] = [];
  if (journey.goal)
    stops.push({
      event: journey.goal.event,
      match: matchValues(await evaluateAll(journey.goal.match ?? {}, { trigger, context })),
      reason: 'goal',
    });
  for (const rule of journey.exitOn ?? []) {
    stops.push({
      event: rule.event,
      match: matchValues(await evaluateAll(rule.match ?? {}, { trigger, context })),
      reason: 'exit-event',
    });
  }
  // The execution carries only what its steps and templates read of the trigger: its input stays
  // in Step Functions' history for 90 days, beyond erasure's reach.
  const carried = project(trigger, triggerKeepOf(entry));
  const input = JSON.stringify({ customerId: event.customerId, trigger: carried, context, events: {} });
  const starting: InstanceRecord = {
    journey: journey.id,
    version: journey.version,
    instance,
    status: 'starting',
    stateMachineArn: entry.stateMachineArn,
    startedAt: at,
    stops,
    liveMark: stops.length > 0,
    locked: single,
    input,
    ...(journey.goal
      ? {
          convertsUntil: iso(
            Date.parse(at) + (durationSeconds(journey.goal.within ?? DEFAULT_GOAL_WITHIN) ?? 0) * 1000,
          ),
        }
      : {}),
    ...(isPureStep(journey, journey.start) ? { countsStart: journey.start } : {}),
  };
  const created = !existing && (await deps.table.put({ pk, sk, ...starting }, { ifAbsent: true }));
  // A retry after a crash (or a concurrent duplicate) goes on with the first attempt's record: its
  // time for the entered line (so the line's key is the same and it is written once), its version.
  const recorded = created ? starting : (existing ?? ((await deps.table.get(pk, sk)) as InstanceRecord | undefined));
  // Finished meanwhile by a concurrent delivery: nothing is left to do.
  if (recorded && recorded.status !== 'starting') return { outcome: 'entered' };
  await completeEntry(deps, event.customerId, { ...starting, ...recorded, input: recorded?.input ?? input });
  return { outcome: 'entered' };
}

/**
 * The rest of an entry once its instance is recorded as starting: the entered line, the live
 * mark, StartExecution and the switch to active. Each step is idempotent, and StartExecution by
 * name with the same input starts one execution however often it is called, so whoever comes
 * after a crash — the event's redelivery, `baton dev`'s start, a later trigger that finds the lock
 * held (takeActiveLock) — finishes the entry, and any number of them at once start it once.
 */
async function completeEntry(deps: Deps, customerId: string, rec: InstanceRecord & { input: string }): Promise<void> {
  const { journey, version, instance, stateMachineArn } = rec;
  // Recorded before the start so that a fast instance's later lines never precede it.
  const entered: TimelineEntry = { at: rec.startedAt, kind: 'entered', journey, version, customerId, instance };
  await record(
    deps,
    entered,
    `${instance}#entered`,
    rec.countsStart ? { [metric.visits(rec.countsStart)]: 1 } : undefined,
  );
  // Watched from before it starts, so that a goal event right after the start converts it.
  const goal = rec.stops.find((s) => s.reason === 'goal');
  if (goal && rec.convertsUntil) {
    const { startedAt, convertsUntil } = rec;
    await watchGoal(deps, customerId, {
      journey,
      version,
      instance,
      startedAt,
      convertsUntil,
      event: goal.event,
      match: goal.match,
    });
  }
  // Live before it starts, so that an event arriving once it runs can stop it (goal, exitOn).
  if (rec.liveMark !== false) await markLive(deps, customerId, rec);
  let executionArn = executionArnOf(stateMachineArn, instance);
  try {
    ({ executionArn } = await deps.sfn.startExecution({ stateMachineArn, name: instance, input: rec.input }));
  } catch (err) {
    // Closed already: this instance ran before and this is a redelivery.
    if ((err as Error).name !== 'ExecutionAlreadyExists') throw err;
  }
  // The input goes with `starting`: the execution has it now.
  await deps.table.update(
    keys.customer(customerId),
    keys.instance(journey, instance),
    { set: { status: 'active', executionArn, input: undefined } },
    { if: when.equals('status', 'starting') },
  );
}

const triggerKeeps = new WeakMap<CatalogEntry, Keep | undefined>();

/** What an execution of this journey version keeps of its trigger; computed once per catalog entry. */
function triggerKeepOf(entry: CatalogEntry): Keep | undefined {
  if (!triggerKeeps.has(entry)) {
    const templatePaths = journeyTemplateTriggerPaths(entry.journey, entry.templatesDir);
    triggerKeeps.set(entry, triggerKeep(entry.journey, templatePaths));
  }
  return triggerKeeps.get(entry);
}

/**
 * How long an entry may take before it counts as cut short by a crash: a lock whose holder never
 * recorded its instance is then taken over, and a holder still starting is finished.
 */
const STALE_ENTRY_MS = 5 * 60_000;

/**
 * concurrent: single — one active instance per customer and journey. The lock names its holder,
 * so a retry by the holder passes; a lock whose holder has ended, or whose entry crashed before
 * recording the instance, is taken over. A holder whose entry crashed after recording its instance
 * and before its execution started keeps the lock, and is started here: on AWS nothing else may
 * ever finish it (its event can be in the dead-letter queue), and it must not block forever.
 */
async function takeActiveLock(deps: Deps, customerId: string, journeyId: string, instance: string) {
  const pk = keys.customer(customerId);
  const sk = keys.activeLock(journeyId);
  const now = deps.clock.now();
  const lock = { pk, sk, instance, lockedAt: now };
  const holderIs = (who: string) => when.any(when.itemAbsent, when.equals('instance', who));
  if (await deps.table.put(lock, { if: holderIs(instance) })) return true;
  const current = await deps.table.get(pk, sk);
  if (!current) return deps.table.put(lock, { ifAbsent: true });
  const holder = current.instance as string;
  const held = (await deps.table.get(pk, keys.instance(journeyId, holder))) as InstanceRecord | undefined;
  // Its record keeps the input while starting. (A record written before it did cannot be finished.)
  if (held?.status === 'starting' && held.input !== undefined && now - Date.parse(held.startedAt) > STALE_ENTRY_MS) {
    await completeEntry(deps, customerId, { ...held, input: held.input });
    return false;
  }
  const free = held ? held.status === 'ended' : now - Number(current.lockedAt ?? 0) > STALE_ENTRY_MS;
  return free && deps.table.put(lock, { if: holderIs(holder) });
}

/**
 * Match values as they are stored: a missing one as null, which matches no event (dataMatches).
 * Left undefined, storing would drop the key, and the rule would then match every event of its type.
 */
function matchValues(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v === undefined ? null : v]));
}

async function evaluateAll(
  exprs: Record<string, ValueExpr>,
  bindings: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(exprs)) out[k] = await evaluate(valueToJsonata(v, variableScope), bindings);
  return out;
}

async function releaseActiveLock(deps: Pick<Deps, 'table'>, pk: string, journeyId: string, instance: string) {
  await deps.table.delete(pk, keys.activeLock(journeyId), { if: when.equals('instance', instance) });
}

/** The entries item's attribute naming an instance it counted (its value: when). */
const COUNTED = 'counted_';
/**
 * How long a counted instance is kept by name: longer than any delivery again of its trigger
 * (EventBridge retries for 24 hours) or a restart of `baton dev` finishing it.
 */
const COUNTED_KEPT_MS = 2 * 86_400_000;

/**
 * entry.cooldown and entry.limit, in one conditional update of the customer's entry counter, so
 * concurrent triggers cannot both pass. Counting is idempotent per instance. Returns why an
 * entry was refused, if it was.
 */
async function countEntry(
  deps: Pick<Deps, 'table' | 'clock'>,
  pk: string,
  journey: Journey,
  instance: string,
): Promise<'cooldown' | 'limit' | undefined> {
  const { cooldown, limit } = journey.entry ?? {};
  if (!cooldown && !limit) return undefined;
  const now = deps.clock.now();
  const sk = keys.entries(journey.id);
  const counter = await deps.table.get(pk, sk);
  // Counted before a crash: its entry is being finished, by a delivery again or a restart. Each
  // instance counted in the last while is kept by name (another entry may have come in between).
  if (counter?.lastInstance === instance || counter?.[COUNTED + instance] !== undefined) return undefined;
  const stale = Object.keys(counter ?? {}).filter(
    (k) => k.startsWith(COUNTED) && Number(counter?.[k]) < now - COUNTED_KEPT_MS,
  );
  const rules: Cond[] = [];
  if (limit) rules.push(when.any(when.absent('entries'), when.lessThan('entries', limit)));
  if (cooldown) {
    const edge = now - (durationSeconds(cooldown) ?? 0) * 1000;
    rules.push(when.any(when.absent('lastEntryAt'), when.atMost('lastEntryAt', edge)));
  }
  const counted = await deps.table.update(
    pk,
    sk,
    {
      set: { lastInstance: instance, lastEntryAt: now, [COUNTED + instance]: now },
      add: { entries: 1 },
      ...(stale.length ? { remove: stale } : {}),
    },
    { if: when.all(...rules) },
  );
  if (counted) return undefined;
  const current = await deps.table.get(pk, sk);
  return limit && Number(current?.entries ?? 0) >= limit ? 'limit' : 'cooldown';
}
