/** Facts about steps that several parts of Baton need: where a step can go, which channels it uses. */
import type { Channel, Step, StepOf } from './schema';

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
  switch (step.type) {
    case 'wait':
      return [{ path: ['next'], target: s.next, label: `after ${step.for}` }];
    case 'send': {
      const out: StepTarget[] = [{ path: ['next'], target: s.next, label: 'next' }];
      if (s.onSuppressed !== undefined)
        out.push({ path: ['onSuppressed'], target: s.onSuppressed, label: 'suppressed' });
      return out;
    }
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
    case 'end':
      return [];
    default:
      // Malformed input reaches here during validation of a broken document.
      return [];
  }
}

/** Channels a send step may use, in the order they are tried. */
export function channelsOf(step: StepOf<'send'>): Channel[] {
  return [step.channel];
}
