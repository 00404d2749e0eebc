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
import { type Cond, type Item, when } from '../store/port';
import { addCounts, journeyPartition, utcDay } from './counters';
import { metric } from './metrics';

/** What a handler call counts (compile-visits.ts countedArgument). */
export interface Counted {
  /** The state visit: its name and entry time (the same on every Retry of it)... */
  state?: string;
  entered?: string;
  /** ...or a key given whole (the failed state's, for the failure state). */
  key?: string;
  /** The pure steps passed since the last call: `|` then ids each followed by `|`; null or absent: none. */
  passed?: unknown;
  /** This call's own step, when the call is that step's first state. */
  self?: string;
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

/** What a call counts: the key of its state visit, its steps, and whether its next step is among them. */
interface VisitCount {
  key: string;
  steps: string[];
  ahead: boolean;
}

function toCount(input: { counted?: Counted }, opts: CountOptions): VisitCount | { ahead: boolean } {
  const counted = input.counted;
  if (!counted) return { ahead: false };
  const target = opts.route === undefined ? undefined : counted.ahead?.[opts.route];
  const passed = typeof counted.passed === 'string' ? counted.passed.split('|').filter(Boolean) : [];
  const steps = [...passed, ...(counted.self ? [counted.self] : [])].filter((s) => s !== opts.skip);
  if (target) steps.push(target);
  if (!steps.length && !opts.cohort) return { ahead: target !== undefined };
  return { key: counted.key ?? `${counted.state}#${counted.entered}`, steps, ahead: target !== undefined };
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
  const count = toCount(input, opts);
  if (!('key' in count)) return count.ahead;
  const record = await deps.table.update(
    keys.customer(input.customerId),
    keys.instance(input.journey, input.instance),
    { set: { [LAST_COUNTED]: count.key } },
    { if: when.all(when.itemExists, when.notEquals(LAST_COUNTED, count.key)) },
  );
  if (record) await addVisits(deps, input, count, record, opts);
  return count.ahead;
}

/**
 * The same, in the write of the instance record that the call makes anyway (`write`, with what to
 * set and its own condition): when the visit is not counted yet and `write`'s condition holds, one
 * write does both. Otherwise (a retry, or `write` refused) the visits are counted first, on their
 * own, and `write` is left to the caller: it answers undefined.
 */
export async function countVisitsWith(
  deps: Pick<Deps, 'table' | 'clock'>,
  input: TaskBase & { counted?: Counted },
  write: { set: Record<string, unknown>; if: Cond },
): Promise<Item | undefined> {
  const count = toCount(input, {});
  if (!('key' in count)) return undefined;
  const record = await deps.table.update(
    keys.customer(input.customerId),
    keys.instance(input.journey, input.instance),
    { set: { ...write.set, [LAST_COUNTED]: count.key } },
    { if: when.all(write.if, when.notEquals(LAST_COUNTED, count.key)) },
  );
  if (!record) {
    await countVisits(deps, input);
    return undefined;
  }
  await addVisits(deps, input, count, record, {});
  return record;
}

/** Add a counted visit's steps (and cohort) to the journey version's counters. */
async function addVisits(
  deps: Pick<Deps, 'clock' | 'table'>,
  input: TaskBase,
  count: VisitCount,
  record: Item,
  opts: CountOptions,
): Promise<void> {
  const visits: Record<string, number> = {};
  for (const s of count.steps) visits[metric.visits(s)] = (visits[metric.visits(s)] ?? 0) + 1;
  const pk = journeyPartition(input.journey, input.version);
  const today = utcDay(deps.clock.now());
  const entered = typeof record.startedAt === 'string' ? record.startedAt.slice(0, 10) : today;
  // A crash between the key and these adds loses them (as for timeline lines: lib/results/lines.ts).
  await Promise.all([
    addCounts(deps.table, { pk, day: today, seed: input.instance }, visits),
    opts.cohort && addCounts(deps.table, { pk, day: entered, seed: input.instance }, opts.cohort),
  ]);
}

/**
 * A handler's result as its Task reads it: when the call may count its next step ahead, `passed`
 * says whether it did (null: that step adds nothing to $passed) or not (`|`: nothing passed yet).
 */
export function withPassed<T extends object>(
  input: { counted?: Counted },
  result: T,
  aheadCounted: boolean,
): T | (T & { passed: null | '|' }) {
  if (!input.counted?.ahead) return result;
  return { ...result, passed: aheadCounted ? null : '|' };
}
