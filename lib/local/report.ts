/** `baton simulate --report`: a per-journey, per-step funnel of what the run printed. */
import type { TimelineEntry } from '../core/timeline';

interface Funnel {
  entered: number;
  ignored: Record<string, number>;
  exited: Record<string, number>;
  steps: Map<string, Record<string, number>>;
}

/** Count the lines of a run by journey, step and kind. */
export function funnel(lines: TimelineEntry[]): Map<string, Funnel> {
  const out = new Map<string, Funnel>();
  for (const l of lines) {
    let f = out.get(l.journey);
    if (!f) {
      f = { entered: 0, ignored: {}, exited: {}, steps: new Map() };
      out.set(l.journey, f);
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
  return out;
}

/** The funnel as a plain-text table (lines never start with `{`, so JSON readers skip them). */
export function renderFunnel(lines: TimelineEntry[]): string {
  const rows: string[] = [];
  const kv = (r: Record<string, number>) =>
    Object.entries(r)
      .sort()
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || '-';
  for (const [journey, f] of [...funnel(lines)].sort(([a], [b]) => a.localeCompare(b))) {
    rows.push(`journey ${journey}: entered ${f.entered}; ignored ${kv(f.ignored)}; exited ${kv(f.exited)}`);
    for (const [step, counts] of f.steps) rows.push(`  ${step.padEnd(24)} ${kv(counts)}`);
  }
  return `${rows.join('\n')}\n`;
}
