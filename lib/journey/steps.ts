/** Facts about steps that several parts of Baton need: where a step can go, which channels it uses. */
import { CHANNELS, type Channel, type Step, type StepOf } from './schema';

export interface StepTarget {
  /** Field path inside the step, e.g. ["cases", 0, "next"]. */
  path: (string | number)[];
  target: unknown;
  /** Label for diagrams and messages. */
  label: string;
}

/** Every step a step can move to, with the field that names it. Tolerates malformed steps. */
export function stepTargets(step: Step): StepTarget[] {
  const s = step as Step & Record<string, unknown>;
  const optional = (field: string, label: string): StepTarget[] =>
    s[field] === undefined ? [] : [{ path: [field], target: s[field], label }];
  switch (step.type) {
    case 'wait':
      return [{ path: ['next'], target: s.next, label: waitLabel(step) }];
    case 'send':
      return [{ path: ['next'], target: s.next, label: 'next' }, ...optional('onSuppressed', 'suppressed')];
    case 'waitFor':
      return [
        { path: ['next'], target: s.next, label: String(step.event) },
        { path: ['onTimeout'], target: s.onTimeout, label: `timeout ${step.timeout}` },
      ];
    case 'branch': {
      const cases = Array.isArray(s.cases) ? (s.cases as { next?: unknown }[]) : [];
      return [
        ...cases.map((c, i) => ({ path: ['cases', i, 'next'], target: c?.next, label: `case ${i + 1}` })),
        { path: ['default'], target: s.default, label: 'default' },
      ];
    }
    case 'split': {
      const paths = Array.isArray(s.paths) ? (s.paths as { next?: unknown; weight?: unknown }[]) : [];
      return paths.flatMap((p, i) =>
        p && p.next !== undefined
          ? [{ path: ['paths', i, 'next'], target: p.next, label: `weight ${String(p.weight)}` }]
          : [],
      );
    }
    case 'handoff':
    case 'update':
      return [{ path: ['next'], target: s.next, label: 'next' }];
    case 'action':
      return [{ path: ['next'], target: s.next, label: 'next' }, ...optional('onError', 'error')];
    case 'end':
      return [];
    default:
      // Malformed input reaches here during validation of a broken document.
      return [];
  }
}

function waitLabel(step: StepOf<'wait'>): string {
  if (step.for !== undefined) return `after ${step.for}`;
  if (step.untilLocalTime !== undefined) return `at ${step.untilLocalTime} local`;
  return `until ${step.until}`;
}

/** Channels a send step may use: its channel (any, for preferred and best) and its fallbacks. */
export function channelsOf(step: StepOf<'send'>): Channel[] {
  const first: readonly Channel[] = step.channel === 'preferred' || step.channel === 'best' ? CHANNELS : [step.channel];
  return [...new Set([...first, ...(step.fallback ?? [])])];
}

/** The order a send tries: its channel choice, then the fallbacks (as the send handler receives it). */
export function channelOrder(step: StepOf<'send'>): string[] {
  return [...new Set([step.channel, ...(step.fallback ?? [])])];
}

/** The seconds a pausing step can take at most, if known at compile time. */
export function stepMaxSeconds(step: Step, durationSeconds: (d: string) => number | undefined): number {
  if (step.type === 'wait' && step.for !== undefined) return durationSeconds(step.for) ?? 0;
  if (step.type === 'wait' && step.untilLocalTime !== undefined) return 86_400;
  if (step.type === 'waitFor') return durationSeconds(step.timeout) ?? 0;
  if (step.type === 'send' && typeof step.timing === 'object') return durationSeconds(step.timing.within) ?? 0;
  return 0;
}
