/**
 * Counting step visits from handler calls (the compiler's side is lib/journey/compile-visits.ts):
 * each call carries the steps it counts, and the key of its state visit. The key is set on the
 * instance record with a condition that it differs, so a retried call (same state, same entry
 * time) or a failure state counting after the failed one (the failed state's key) counts nothing
 * twice; an instance's handler calls come one at a time, so the last key is all there is to keep.
 */
import type { Deps } from '../core/ports';
import type { TaskBase } from '../core/task-input';
import { keys } from '../store/keys';
import { when } from '../store/port';
import { addCounts, journeyPartition, utcDay } from './counters';
import { metric } from './metrics';

/** What a handler call counts (compile-visits.ts countedArgument). */
export interface Counted {
  /** The state visit: its name and entry time. */
  key: string;
  /** Steps visited since the last call (and this call's own step); null or absent: none. */
  visits?: unknown;
  /** By the handler's outcome, the pure step it leads to: counted now too. */
  ahead?: Record<string, string>;
}

/** The attribute of the instance record holding the last counted state visit. */
const LAST_COUNTED = 'countedVisit';

export interface CountOptions {
  /** The handler's outcome (an `ahead` key): its next step, counted ahead when pure. */
  route?: string;
  /** Not counted in this call: a deferred send's own step, counted when it decides. */
  skip?: string;
  /** More counters of the instance, on the day it entered (a split path's entry). */
  cohort?: Record<string, number>;
}

/**
 * Count what a handler call carries, once per state visit. Returns whether the call's next step was
 * counted ahead — the same answer on every retry, so the state machine's `$passed` stays in step.
 */
export async function countVisits(
  deps: Pick<Deps, 'table' | 'clock'>,
  input: TaskBase & { counted?: Counted },
  opts: CountOptions = {},
): Promise<boolean> {
  const counted = input.counted;
  if (!counted) return false;
  const target = opts.route === undefined ? undefined : counted.ahead?.[opts.route];
  const steps = (Array.isArray(counted.visits) ? counted.visits : []).filter(
    (s): s is string => typeof s === 'string' && s !== opts.skip,
  );
  if (target) steps.push(target);
  if (!steps.length && !opts.cohort) return target !== undefined;
  const record = await deps.table.update(
    keys.customer(input.customerId),
    keys.instance(input.journey, input.instance),
    { set: { [LAST_COUNTED]: counted.key } },
    { if: when.all(when.itemExists, when.notEquals(LAST_COUNTED, counted.key)) },
  );
  if (record) {
    const visits: Record<string, number> = {};
    for (const s of steps) visits[metric.visits(s)] = (visits[metric.visits(s)] ?? 0) + 1;
    const pk = journeyPartition(input.journey, input.version);
    const today = utcDay(deps.clock.now());
    const entered = typeof record.startedAt === 'string' ? record.startedAt.slice(0, 10) : today;
    // A crash between the key and these adds loses them (as for timeline lines: lib/results/lines.ts).
    if (opts.cohort && entered !== today) {
      await addCounts(deps.table, { pk, day: entered, seed: input.instance }, opts.cohort);
      await addCounts(deps.table, { pk, day: today, seed: input.instance }, visits);
    } else {
      await addCounts(deps.table, { pk, day: today, seed: input.instance }, { ...visits, ...opts.cohort });
    }
  }
  return target !== undefined;
}
