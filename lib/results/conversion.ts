/**
 * Conversion (SPEC §7): an instance converts when its goal event (with `match`) arrives within
 * `goal.within` of its entry, running or not — a holdout too. At entry a watcher item goes in the
 * customer's partition, found by the events of the goal's type (as a parked waitFor is); it
 * expires with the window. A conversion counts once per instance (a conditional write on the
 * watcher), on the day the instance entered, so the rate of a range of days is that of the
 * instances that entered in it. The watcher also learns the path the instance took at each split,
 * so that its conversion counts for that path.
 */
import type { Envelope } from '../core/envelope';
import { dataMatches } from '../core/park';
import type { Deps } from '../core/ports';
import { keys } from '../store/keys';
import { type Item, when } from '../store/port';
import { addCounts, journeyPartition } from './counters';
import { metric } from './metrics';

/** The goal's window when the journey says none. */
export const DEFAULT_GOAL_WITHIN = 'P7D';

/** Watchers of the customer's instances, by goal event type. */
const watcherPrefix = (event: string) => `RW#${event}#`;
const watcherKey = (event: string, instance: string) => `${watcherPrefix(event)}${instance}`;
/** The watcher's attribute holding the path taken at a split. */
const pathAttribute = (step: string) => `path_${step}`;
/** Events a little late still find the watcher (expiry is kept a day past the window). */
const EXPIRY_SLACK_SECONDS = 86_400;

/** What an instance's watcher needs: who, since when, until when, and the goal it waits for. */
export interface GoalWatch {
  journey: string;
  version: number;
  instance: string;
  /** The entry time (ISO). */
  startedAt: string;
  /** The end of the window (ISO). */
  convertsUntil: string;
  event: string;
  /** The goal's match values, resolved at entry. */
  match: Record<string, unknown>;
}

/** Start watching an instance's goal; a retry of the entry leaves the watcher as it is (paths, conversion). */
export async function watchGoal(deps: Pick<Deps, 'table'>, customerId: string, watch: GoalWatch): Promise<void> {
  await deps.table.put(
    {
      pk: keys.customer(customerId),
      sk: watcherKey(watch.event, watch.instance),
      ...watch,
      expiresAt: Math.ceil(Date.parse(watch.convertsUntil) / 1000) + EXPIRY_SLACK_SECONDS,
    },
    { ifAbsent: true },
  );
}

/**
 * Count the conversions an event makes: each watcher of its type it matches, within its window, once.
 * The window is in engine time, as the entry it starts from: an event counts by when it arrives,
 * not by the time its sender stamped on it (a sender's clock, a backlog of accepted events or
 * `baton dev --speed` would otherwise put a goal before the entry it follows).
 */
export async function countConversions(deps: Pick<Deps, 'table' | 'clock'>, event: Envelope): Promise<void> {
  const at = deps.clock.now();
  const watchers = await deps.table.queryAll(keys.customer(event.customerId), { prefix: watcherPrefix(event.type) });
  for (const w of watchers) {
    const watch = w as unknown as GoalWatch & Item;
    if (at < Date.parse(watch.startedAt) || at > Date.parse(watch.convertsUntil)) continue;
    if (!dataMatches(event.data, watch.match)) continue;
    const converted = await deps.table.update(
      w.pk,
      w.sk,
      { set: { convertedAt: new Date(at).toISOString() } },
      { if: when.all(when.itemExists, when.absent('convertedAt')) },
    );
    if (!converted) continue;
    const metrics: Record<string, number> = { [metric.converted]: 1 };
    for (const [step, path] of pathsOf(converted)) metrics[metric.splitConverted(step, path)] = 1;
    // A crash between the two writes loses this count; a redelivery finds it converted and adds nothing.
    await addCounts(
      deps.table,
      { pk: journeyPartition(watch.journey, watch.version), day: watch.startedAt.slice(0, 10), seed: watch.instance },
      metrics,
    );
  }
}

/**
 * Tell an instance's watcher the path it takes at a split, the first time it comes there: a path
 * noted before is kept (an instance loops back to the split, or an optimized split chose a winner
 * since) and returned. Returns the path, whether this call noted it, and whether the instance had
 * converted already (its goal event resumed a waitFor and it went on): its split conversion then
 * counts with its entry on the path. Undefined when the instance has no watcher.
 */
export async function notePath(
  deps: Pick<Deps, 'table'>,
  at: { customerId: string; instance: string; goal: string; step: string },
  path: number,
): Promise<{ path: number; first: boolean; converted: boolean } | undefined> {
  const pk = keys.customer(at.customerId);
  const sk = watcherKey(at.goal, at.instance);
  const attr = pathAttribute(at.step);
  const noted = await deps.table.update(
    pk,
    sk,
    { set: { [attr]: path } },
    { if: when.all(when.itemExists, when.absent(attr)) },
  );
  const watcher = noted ?? (await deps.table.get(pk, sk));
  if (!watcher) return undefined;
  return { path: Number(watcher[attr]), first: noted !== undefined, converted: watcher.convertedAt !== undefined };
}

/** The split paths a watcher noted: [step, path]. */
function pathsOf(watcher: Item): [string, number][] {
  return Object.entries(watcher)
    .filter(([k, v]) => k.startsWith('path_') && typeof v === 'number')
    .map(([k, v]) => [k.slice('path_'.length), v as number]);
}
