/**
 * Baton's business metrics on AWS, as CloudWatch embedded metric format through Powertools: each
 * timeline line (entered, ignored, sent, suppressed, hand-off, action, escalated, exited) becomes
 * a count with the dimensions an operator charts (journey, channel, reason). Emitted at once, one
 * metric per line, so nothing depends on a flush at the end of the invocation.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { TimelineEntry } from '../core/timeline';

/** The namespace of Baton's metrics (the dashboard and alarms read it). */
export const METRICS_NAMESPACE = 'Baton';

const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'baton' });

/** The metric name and dimensions of a timeline line; notes are not counted. */
export function metricOf(e: TimelineEntry): { name: string; dimensions: Record<string, string> } | undefined {
  switch (e.kind) {
    case 'entered':
      return { name: 'Entered', dimensions: { journey: e.journey } };
    case 'ignored':
      return { name: 'Ignored', dimensions: { journey: e.journey, reason: e.reason ?? 'unknown' } };
    case 'sent':
      return { name: 'Sent', dimensions: { channel: e.channel ?? 'unknown' } };
    case 'suppressed':
      return { name: 'Suppressed', dimensions: { reason: e.reason ?? 'unknown' } };
    case 'exited':
      return { name: 'Exited', dimensions: { journey: e.journey, reason: e.reason ?? 'unknown' } };
    case 'handoff':
    case 'action':
    case 'escalated':
      return {
        name: e.kind === 'handoff' ? 'Handoffs' : e.kind === 'action' ? 'Actions' : 'Escalations',
        dimensions: { journey: e.journey },
      };
    case 'optimized':
      return { name: 'Optimized', dimensions: { journey: e.journey } };
    case 'note':
      return undefined;
    default: {
      const never: never = e.kind;
      return never;
    }
  }
}

/** Count one timeline line (the use cases call this for every line they record). */
export function emitTimelineMetric(e: TimelineEntry): void {
  const m = metricOf(e);
  if (m) countMetric(m.name, m.dimensions);
}

/** Count `count` occurrences (one by default) of a metric with its dimensions, flushed at once. */
export function countMetric(name: string, dimensions: Record<string, string>, count = 1): void {
  const single = metrics.singleMetric();
  for (const [k, v] of Object.entries(dimensions)) single.addDimension(k, v);
  single.addMetric(name, MetricUnit.Count, count);
}
