/**
 * The counts of the local console: per journey, how many entered, were ignored (by reason) and
 * exited (by reason), and per step how many are waiting there now, were sent a message, were
 * suppressed (by reason) or exited there. Derived from what the table already holds — the
 * customers' timeline items and the local engine's execution items — so nothing extra is written
 * on the hot path just to feed a dashboard.
 *
 * It scans the customers' and the executions' items. That is acceptable only because this is the
 * local dev console (a laptop's worth of data); the API Lambda on AWS never calls it, where a scan of the
 * production table would be slow and costly.
 */
import type { Deps } from '../core/ports';
import type { TimelineEntry } from '../core/timeline';
import { keys } from '../store/keys';

/** Reason → count. */
export type ByReason = Record<string, number>;

export interface StepCounts {
  /** Instances whose execution is at this step now (a wait, a waitFor, a message held for quiet hours...). */
  waiting: number;
  sent: number;
  suppressed: ByReason;
  /** Exits recorded at this step (an `end` step, or a goal reached while parked here). */
  exited: ByReason;
}

export interface JourneyCounts {
  entered: number;
  ignored: ByReason;
  exited: ByReason;
  steps: Record<string, StepCounts>;
}

/** Execution items of the local engine (engine.ts `execKey`). */
const EXECUTION_PREFIX = 'X#';

/** Counts for every journey of the catalog, keyed by journey id (all versions together). */
export async function journeyCounts(deps: Pick<Deps, 'table' | 'catalog'>): Promise<Record<string, JourneyCounts>> {
  const out: Record<string, JourneyCounts> = {};
  for (const { journey } of deps.catalog.all()) {
    out[journey.id] = {
      entered: 0,
      ignored: {},
      exited: {},
      steps: Object.fromEntries(
        Object.keys(journey.steps).map((s) => [s, { waiting: 0, sent: 0, suppressed: {}, exited: {} }]),
      ),
    };
  }
  for await (const item of scanCounted(deps)) {
    if (item.entry) countEntry(out, item.entry as TimelineEntry);
    else if (item.execution) {
      const ex = item.execution as { status?: string; state?: string; stateMachineArn?: string };
      if (ex.status !== 'RUNNING' || !ex.state || !ex.stateMachineArn) continue;
      // Any version of the journey: its steps are counted under the current version's step of that id.
      const journey = deps.catalog.byStateMachine(ex.stateMachineArn)?.journey.id;
      // Helper states are named `<step>.<suffix>` (nudge.defer, opened-nudge.route): they belong to the step.
      const step = journey ? out[journey].steps[ex.state.split('.')[0]] : undefined;
      if (step) step.waiting++;
    }
  }
  return out;
}

function countEntry(out: Record<string, JourneyCounts>, e: TimelineEntry): void {
  const j = out[e.journey];
  if (!j) return; // a journey no longer in workflows/
  const step = e.step ? j.steps[e.step] : undefined;
  const reason = e.reason ?? 'unknown';
  switch (e.kind) {
    case 'entered':
      j.entered++;
      break;
    case 'ignored':
      bump(j.ignored, reason);
      break;
    case 'sent':
      if (step) step.sent++;
      break;
    case 'suppressed':
      if (step) bump(step.suppressed, reason);
      break;
    case 'exited':
      bump(j.exited, reason);
      if (step) bump(step.exited, reason);
      break;
    default:
      break;
  }
}

function bump(counts: ByReason, reason: string): void {
  counts[reason] = (counts[reason] ?? 0) + 1;
}

/** Timeline items and execution items, page by page. */
async function* scanCounted(deps: Pick<Deps, 'table'>): AsyncGenerator<Record<string, unknown>> {
  for await (const page of deps.table.scanPrefixPages(keys.customer(''))) {
    for (const item of page) if (item.sk.startsWith(keys.timelinePrefix)) yield item;
  }
  for await (const page of deps.table.scanPrefixPages(EXECUTION_PREFIX)) yield* page;
}
