/**
 * The names of the counters (SPEC §7), one counter item each (lib/results/counters.ts). Step ids,
 * reasons and channels hold no dot and no `#`, so a name splits back into its parts unambiguously.
 */
import type { TimelineEntry } from '../core/timeline';
import { assertNever } from '../journey/schema';

/** Counters of a journey version. */
export const metric = {
  entered: 'entered',
  converted: 'converted',
  ignored: (reason: string) => `ignored.${reason}`,
  exited: (reason: string) => `exited.${reason}`,
  visits: (step: string) => `visits.${step}`,
  sent: (step: string, channel: string) => `sent.${step}.${channel}`,
  suppressed: (step: string, reason: string) => `suppressed.${step}.${reason}`,
  delivered: (step: string) => `delivered.${step}`,
  engaged: (step: string) => `engaged.${step}`,
  failed: (step: string) => `failed.${step}`,
  splitEntered: (step: string, path: number) => `split.${step}.${path}.entered`,
  splitConverted: (step: string, path: number) => `split.${step}.${path}.converted`,
} as const;

/** What channel effectiveness counts of a message. */
export type ChannelMetric = 'sent' | 'delivered' | 'engaged';

/** The counters a timeline line adds to, when it is first written. */
export function lineMetrics(e: TimelineEntry): Record<string, number> {
  const reason = e.reason ?? 'unknown';
  switch (e.kind) {
    case 'entered':
      return { [metric.entered]: 1 };
    case 'ignored':
      return { [metric.ignored(reason)]: 1 };
    case 'exited':
      return { [metric.exited(reason)]: 1 };
    case 'sent':
      return e.step && e.channel ? { [metric.sent(e.step, e.channel)]: 1 } : {};
    case 'suppressed':
      return e.step ? { [metric.suppressed(e.step, reason)]: 1 } : {};
    // Counted elsewhere, or not at all: visits by the handlers (lib/results/visits.ts), a split's
    // choice in the results' optimized field, notes never.
    case 'handoff':
    case 'action':
    case 'escalated':
    case 'optimized':
    case 'note':
      return {};
    default:
      return assertNever(e.kind);
  }
}
