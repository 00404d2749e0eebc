/** The results as a whole: `baton simulate --report json`'s last line and `GET /journeys`. */
import type { Deps } from '../core/ports';
import type { Journey } from '../journey/schema';
import { channelEffectiveness } from './channels';
import { type DayRange, journeyPartition, readCounts } from './counters';
import { type JourneyResults, journeyResults } from './journey-results';
import { metric } from './metrics';

/** SPEC §7: every journey's results over all days, and channel effectiveness by trigger event type. */
export interface ResultsReport {
  kind: 'report';
  journeys: Record<string, JourneyResults>;
  channels: { channel: string; event: string; sent: number; delivered: number; engaged: number; rate: number }[];
}

/** The report of a run: the results of each journey version that ran, from the counters. */
export async function resultsReport(deps: Pick<Deps, 'table'>, journeys: Journey[]): Promise<ResultsReport> {
  const out: ResultsReport = { kind: 'report', journeys: {}, channels: [] };
  for (const j of [...journeys].sort((a, b) => a.id.localeCompare(b.id)))
    out.journeys[j.id] = await journeyResults(deps, j.id, j.version, {}, j);
  out.channels = (await channelEffectiveness(deps.table, {})).channels;
  return out;
}

/** A journey's line in `GET /journeys`: its live version and what that version did over the days asked. */
export interface JourneyHeadline {
  id: string;
  name: string;
  version: number;
  entered: number;
  converted: number;
  /** converted / entered (0 before any entry). */
  rate: number;
}

/** The headline counts of each journey's live version: one query a journey. */
export async function journeyHeadlines(
  deps: Pick<Deps, 'table' | 'catalog'>,
  range: DayRange,
): Promise<JourneyHeadline[]> {
  const out: JourneyHeadline[] = [];
  for (const { journey } of deps.catalog.all().sort((a, b) => a.journey.id.localeCompare(b.journey.id))) {
    const counts = await readCounts(deps.table, journeyPartition(journey.id, journey.version), range);
    const entered = counts[metric.entered] ?? 0;
    const converted = counts[metric.converted] ?? 0;
    out.push({
      id: journey.id,
      name: journey.name,
      version: journey.version,
      entered,
      converted,
      rate: entered > 0 ? converted / entered : 0,
    });
  }
  return out;
}
