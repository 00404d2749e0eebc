/**
 * split.optimize (SPEC §7): once the version has been live for `after` and every path has
 * `minPerPath` entries, a path whose conversion is higher than each other continuing path's at 95%
 * confidence (Newcombe's interval for the difference above 0) becomes the path of new entries;
 * holdouts keep their share. The choice is kept on one item of the version's results partition,
 * made once (a conditional write), and said by an `optimized` timeline line.
 *
 * "Live" is counted from the entry of the first instance that reached the split. The counts are
 * read at most every CHECK_EVERY_MS per split (by whichever instance claims the check), so an
 * optimizing split costs one read per instance and one query per check, never a scan.
 */
import type { Deps } from '../core/ports';
import type { SplitInput } from '../core/task-input';
import { iso, record } from '../core/timeline';
import { keys } from '../store/keys';
import { type Item, when } from '../store/port';
import { journeyPartition, readCounts } from './counters';
import { metric } from './metrics';
import { higherAt95 } from './stats';

/** How often the counts of an optimizing split are looked at, at most. */
export const CHECK_EVERY_MS = 15 * 60_000;

/** Where a split's optimizer keeps its state, beside the version's counters. */
export const optimizerKey = (step: string) => `OPT#${step}`;
/** What every optimizer item's sort key starts with. */
export const OPTIMIZER_PREFIX = 'OPT#';

/** The path a split's optimizer chose, with when; kept on its item. */
export interface Optimized {
  path: number;
  at: string;
}

/** The winner of an optimizing split, if there is one: chosen now when it is time to look. */
export async function optimizedPath(
  deps: Pick<Deps, 'table' | 'clock' | 'onTimeline'>,
  input: SplitInput & { optimize: NonNullable<SplitInput['optimize']> },
): Promise<number | undefined> {
  const pk = journeyPartition(input.journey, input.version);
  const sk = optimizerKey(input.step);
  const now = deps.clock.now();
  const state = (await deps.table.get(pk, sk)) ?? (await startWatching(deps, input, pk, sk));
  if (typeof state.winner === 'number') {
    // This instance chose it: a retry after a crash writes the line it may not have written.
    if (state.decidedBy === input.instance) await sayOptimized(deps, input, state.winner, state.decidedAt as string);
    return state.winner;
  }
  if (now < Number(state.since) + input.optimize.afterSeconds * 1000) return undefined;
  // One instance at a time looks at the counts, at most every CHECK_EVERY_MS.
  const claimed = await deps.table.update(
    pk,
    sk,
    { set: { checkedAt: now } },
    {
      if: when.all(
        when.absent('winner'),
        when.any(when.absent('checkedAt'), when.atMost('checkedAt', now - CHECK_EVERY_MS)),
      ),
    },
  );
  if (!claimed) return undefined;
  const winner = winnerOf(await readCounts(deps.table, pk, {}), input);
  if (winner === undefined) return undefined;
  const at = iso(now);
  const decided = await deps.table.update(
    pk,
    sk,
    { set: { winner, decidedAt: at, decidedBy: input.instance } },
    { if: when.absent('winner') },
  );
  if (!decided) return (await deps.table.get(pk, sk))?.winner as number | undefined;
  await sayOptimized(deps, input, winner, at);
  return winner;
}

/**
 * The continuing path that converts better than each other continuing path at 95% confidence,
 * once every path (holdouts too) has its minimum of entries; undefined while there is none.
 */
export function winnerOf(counts: Record<string, number>, input: Pick<SplitInput, 'step' | 'paths' | 'optimize'>) {
  const min = input.optimize?.minPerPath ?? 0;
  const paths = input.paths.map((p, i) => ({
    i,
    holdout: p.holdout === true,
    n: counts[metric.splitEntered(input.step, i)] ?? 0,
    x: counts[metric.splitConverted(input.step, i)] ?? 0,
  }));
  if (paths.some((p) => p.n < min)) return undefined;
  const continuing = paths.filter((p) => !p.holdout);
  return continuing.find((w) => continuing.every((o) => o === w || higherAt95(w.x, w.n, o.x, o.n)))?.i;
}

/** The optimizer's item, created by the first instance that reaches the split: live from its entry. */
async function startWatching(deps: Pick<Deps, 'table' | 'clock'>, input: SplitInput, pk: string, sk: string) {
  const instance = await deps.table.get(keys.customer(input.customerId), keys.instance(input.journey, input.instance));
  const since = typeof instance?.startedAt === 'string' ? Date.parse(instance.startedAt) : deps.clock.now();
  const item: Item = { pk, sk, since };
  if (await deps.table.put(item, { ifAbsent: true })) return item;
  return (await deps.table.get(pk, sk)) ?? item;
}

/** The `optimized` line, in the timeline of the instance whose split chose the winner (once). */
async function sayOptimized(deps: Pick<Deps, 'table' | 'onTimeline'>, input: SplitInput, winner: number, at: string) {
  await record(
    deps,
    {
      at,
      kind: 'optimized',
      journey: input.journey,
      version: input.version,
      customerId: input.customerId,
      instance: input.instance,
      step: input.step,
      reason: `path-${winner}`,
    },
    `${input.journey}#${input.version}#${input.step}#optimized`,
  );
}

/** The choices of a version's optimizing splits, by step. */
export async function optimizedSplits(deps: Pick<Deps, 'table'>, journey: string, version: number) {
  const items = await deps.table.queryAll(journeyPartition(journey, version), { prefix: OPTIMIZER_PREFIX });
  const out: Record<string, Optimized> = {};
  for (const item of items)
    if (typeof item.winner === 'number')
      out[item.sk.slice(OPTIMIZER_PREFIX.length)] = { path: item.winner, at: item.decidedAt as string };
  return out;
}
