/** `baton simulate --report`: a per-journey, per-step funnel of what the run printed. */
import type { TimelineEntry } from '../core/timeline';

interface Funnel {
  entered: number;
  ignored: Record<string, number>;
  exited: Record<string, number>;
  steps: Map<string, Record<string, number>>;
}

/** Counts of a run's lines by journey, step and kind, added one line at a time as they are printed. */
export class FunnelCounts {
  readonly journeys = new Map<string, Funnel>();

  /** Count one line. */
  add(l: TimelineEntry): void {
    let f = this.journeys.get(l.journey);
    if (!f) {
      f = { entered: 0, ignored: {}, exited: {}, steps: new Map() };
      this.journeys.set(l.journey, f);
    }
    if (l.kind === 'entered') f.entered++;
    else if (l.kind === 'ignored') f.ignored[l.reason ?? '?'] = (f.ignored[l.reason ?? '?'] ?? 0) + 1;
    else if (l.kind === 'exited') f.exited[l.reason ?? '?'] = (f.exited[l.reason ?? '?'] ?? 0) + 1;
    if (l.step && l.kind !== 'exited') {
      const counts = f.steps.get(l.step) ?? {};
      const key = l.kind === 'suppressed' ? `suppressed:${l.reason}` : l.kind;
      counts[key] = (counts[key] ?? 0) + 1;
      f.steps.set(l.step, counts);
    }
  }

  /** The funnel as a plain-text table (lines never start with `{`, so JSON readers skip them). */
  render(): string {
    const rows: string[] = [];
    const kv = (r: Record<string, number>) =>
      Object.entries(r)
        .sort()
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || '-';
    for (const [journey, f] of [...this.journeys].sort(([a], [b]) => a.localeCompare(b))) {
      rows.push(`journey ${journey}: entered ${f.entered}; ignored ${kv(f.ignored)}; exited ${kv(f.exited)}`);
      for (const [step, counts] of f.steps) rows.push(`  ${step.padEnd(24)} ${kv(counts)}`);
    }
    return `${rows.join('\n')}\n`;
  }
}

/** Count the lines of a run by journey, step and kind. */
export function funnel(lines: TimelineEntry[]): Map<string, Funnel> {
  return countAll(lines).journeys;
}

/** The funnel of a run's lines as a plain-text table. */
export function renderFunnel(lines: TimelineEntry[]): string {
  return countAll(lines).render();
}

function countAll(lines: TimelineEntry[]): FunnelCounts {
  const counts = new FunnelCounts();
  for (const l of lines) counts.add(l);
  return counts;
}
