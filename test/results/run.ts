/** Results tests: journeys run in virtual time (simulate), and what the counters say at the end. */
import type { Envelope } from '../../lib/core/envelope';
import type { Profile } from '../../lib/core/profile';
import type { TimelineEntry } from '../../lib/core/timeline';
import type { LoadedJourney } from '../../lib/journey/load';
import type { LocalRuntime } from '../../lib/local/runtime';
import { simulate } from '../../lib/local/simulate';
import { type ResultsReport, resultsReport } from '../../lib/results/report';
import { journeyInTempDir, loadValid } from '../helpers';

/** Templates for every channel, named t: any send step may use `t`. */
export const TEMPLATES = {
  't.email.liquid': 'Subject: Hi\nHello',
  't.sms.liquid': 'Hello',
  't.push.liquid': 'Hello',
};

/** A journey document written with the `t` templates and loaded. */
export function journeyOf(doc: Record<string, unknown>): LoadedJourney {
  return loadValid(journeyInTempDir({ name: 'Test', version: 1, ...doc }, TEMPLATES).file);
}

/** A customer who may get email and sms. */
export function customer(id: string, timezone = 'UTC'): Profile {
  return {
    customerId: id,
    email: `${id}@example.com`,
    phone: '+15551230000',
    timezone,
    consent: { email: 'opted_in', sms: 'opted_in' },
  };
}

let n = 0;
/** An event of a customer at a time, with a fresh id unless given. */
export function event(
  type: string,
  customerId: string,
  time: string | number,
  data?: Record<string, unknown>,
  id?: string,
): Envelope {
  return {
    id: id ?? `e-${++n}`,
    type,
    customerId,
    channel: 'web',
    time: typeof time === 'number' ? new Date(time).toISOString() : time,
    ...(data ? { data } : {}),
  };
}

/** Run journeys to the end and read their results (and anything else) before the store closes. */
export async function run(
  journeys: LoadedJourney[],
  events: Envelope[],
  profiles: Profile[],
  opts: { until?: number; look?: (rt: LocalRuntime) => Promise<void> } = {},
): Promise<{ lines: TimelineEntry[]; report: ResultsReport }> {
  let report: ResultsReport | undefined;
  const { lines } = await simulate({
    journeys,
    events,
    profiles,
    until: opts.until,
    inspect: async (rt) => {
      report = await resultsReport(
        rt.deps,
        journeys.map((j) => j.journey),
      );
      await opts.look?.(rt);
    },
  });
  return { lines, report: report! };
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
