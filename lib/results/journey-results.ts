/**
 * What a journey version did (SPEC §7), from its counters: one query over a range of days, the
 * same cost for ten instances or ten million. The shape is the one `baton simulate --report json`
 * prints and `GET /journeys/{id}/results` answers.
 */
import type { Deps } from '../core/ports';
import type { Journey } from '../journey/schema';
import { type DayRange, journeyPartition, readCounts } from './counters';
import { metric } from './metrics';
import { optimizedSplits } from './optimizer';
import { type Interval, newcombe, rateWithInterval } from './stats';

export interface StepResults {
  visits: number;
  /** Send steps: messages sent by channel, suppressed by reason, and feedback on the ones sent. */
  sent?: Record<string, number>;
  suppressed?: Record<string, number>;
  delivered?: number;
  engaged?: number;
  failed?: number;
}

export interface SplitPathResults {
  path: number;
  next?: string;
  exit?: 'holdout';
  entered: number;
  converted: number;
  rate: number;
  ci95: Interval;
  /** A continuing path against the holdout: the difference of rates with Newcombe's interval. */
  uplift?: { rate: number; ci95: Interval };
  /** split.optimize chose this path for new entries, at this time. */
  optimized?: string;
}

export interface JourneyResults {
  version: number;
  entered: number;
  ignored: Record<string, number>;
  exited: Record<string, number>;
  converted: number;
  steps: Record<string, StepResults>;
  splits: Record<string, SplitPathResults[]>;
}

/**
 * The results of one version over a range of days. `journey` is that version's document when it
 * is known (the steps are then listed in its order, each send step with its channels, each split
 * with its paths); without it, the steps are those the counters name.
 */
export async function journeyResults(
  deps: Pick<Deps, 'table'>,
  id: string,
  version: number,
  range: DayRange,
  journey?: Journey,
): Promise<JourneyResults> {
  const [counts, optimized] = await Promise.all([
    readCounts(deps.table, journeyPartition(id, version), range),
    optimizedSplits(deps, id, version),
  ]);
  const out: JourneyResults = { version, entered: 0, ignored: {}, exited: {}, converted: 0, steps: {}, splits: {} };
  const stepOf = (s: string): StepResults => {
    out.steps[s] ??= { visits: 0 };
    return out.steps[s];
  };
  const sendStep = (s: string) => {
    const r = stepOf(s);
    r.sent ??= {};
    r.suppressed ??= {};
    r.delivered ??= 0;
    r.engaged ??= 0;
    r.failed ??= 0;
    return r as Required<StepResults>;
  };
  for (const [s, step] of Object.entries(journey?.steps ?? {})) {
    if (step.type === 'send') sendStep(s);
    else stepOf(s);
  }
  const splitCounts = new Map<string, Map<number, { entered: number; converted: number }>>();
  for (const [name, n] of Object.entries(counts)) {
    const [kind, a, b, c] = name.split('.');
    if (name === metric.entered) out.entered += n;
    else if (name === metric.converted) out.converted += n;
    else if (kind === 'ignored') out.ignored[a] = (out.ignored[a] ?? 0) + n;
    else if (kind === 'exited') out.exited[a] = (out.exited[a] ?? 0) + n;
    else if (kind === 'visits') stepOf(a).visits += n;
    else if (kind === 'sent') sendStep(a).sent[b] = (sendStep(a).sent[b] ?? 0) + n;
    else if (kind === 'suppressed') sendStep(a).suppressed[b] = (sendStep(a).suppressed[b] ?? 0) + n;
    else if (kind === 'delivered' || kind === 'engaged' || kind === 'failed') sendStep(a)[kind] += n;
    else if (kind === 'split' && (c === 'entered' || c === 'converted')) {
      const paths = splitCounts.get(a) ?? new Map();
      const p = paths.get(Number(b)) ?? { entered: 0, converted: 0 };
      p[c] += n;
      paths.set(Number(b), p);
      splitCounts.set(a, paths);
    }
  }
  for (const [s, step] of Object.entries(journey?.steps ?? {})) {
    if (step.type !== 'split') continue;
    const paths = splitCounts.get(s) ?? new Map();
    for (const [i] of step.paths.entries()) if (!paths.has(i)) paths.set(i, { entered: 0, converted: 0 });
    splitCounts.set(s, paths);
  }
  for (const [s, paths] of splitCounts) {
    const step = journey?.steps[s];
    const defined = step?.type === 'split' ? step.paths : undefined;
    const holdout = defined?.findIndex((p) => 'exit' in p) ?? -1;
    const base = holdout >= 0 ? paths.get(holdout) : undefined;
    out.splits[s] = [...paths.entries()]
      .sort(([a], [b]) => a - b)
      .map(([i, p]) => {
        const path = defined?.[i];
        return {
          path: i,
          ...(path && 'next' in path ? { next: path.next } : {}),
          ...(path && 'exit' in path ? { exit: path.exit } : {}),
          entered: p.entered,
          converted: p.converted,
          ...rateWithInterval(p.converted, p.entered),
          ...(base && i !== holdout ? { uplift: uplift(p, base) } : {}),
          ...(optimized[s]?.path === i ? { optimized: optimized[s].at } : {}),
        };
      });
  }
  return out;
}

/** A path's rate minus the holdout's, with Newcombe's 95% interval. */
function uplift(
  path: { entered: number; converted: number },
  holdout: { entered: number; converted: number },
): { rate: number; ci95: Interval } {
  const rate = (n: { entered: number; converted: number }) => (n.entered > 0 ? n.converted / n.entered : 0);
  return {
    rate: rate(path) - rate(holdout),
    ci95: newcombe(path.converted, path.entered, holdout.converted, holdout.entered),
  };
}
