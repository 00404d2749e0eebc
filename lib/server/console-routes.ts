/**
 * The web console of `baton dev` (local only): the page at `/` and the two APIs it needs beyond
 * SPEC §5 — the journeys with their diagrams and per-step counts (and an audience journey's
 * schedule, next run and runs), and the engine's time and speed.
 * Everything else the page shows comes from the ordinary routes (outbox, dispatches, profile,
 * context, timeline).
 */
import { audienceRuns, type RunProgress, upcomingRun } from '../audience/progress';
import { describeSchedule } from '../audience/schedule';
import type { Deps } from '../core/ports';
import { conditionText, journeyGraph } from '../journey/graph';
import { graphSvg } from '../journey/graph-svg';
import type { Journey } from '../journey/schema';
import { CONSOLE_PAGE } from './console/page';
import { type ByReason, journeyCounts } from './console-stats';
import { type ApiRequest, type ApiResponse, errorBody, methodNotAllowed, optionsAnswer } from './response';

export interface ConsoleStep {
  id: string;
  type: string;
  waiting: number;
  sent: number;
  suppressed: ByReason;
  exited: ByReason;
}

export interface ConsoleJourney {
  id: string;
  name: string;
  version: number;
  svg: string;
  entered: number;
  ignored: ByReason;
  exited: ByReason;
  /** In the order of the journey document. */
  steps: ConsoleStep[];
  /** An audience journey's segment, schedule, next run and runs. */
  audience?: ConsoleAudience;
}

export interface ConsoleAudience {
  segment: string;
  schedule: string;
  ratePerSecond?: number;
  /** The run the engine starts next, and when it starts it. */
  nextRun?: { runAt: string; startsAt: string };
  /** Newest first. */
  runs: RunProgress[];
}

/** The console's paths, which take GET only. */
const CONSOLE_PATHS = ['/', '/console/api/journeys', '/console/api/clock'];
const ALLOWED = ['GET', 'OPTIONS'];

/** Answer a console request, or undefined when the request is not the console's. */
export async function consoleRoute(deps: Deps, req: ApiRequest): Promise<ApiResponse | undefined> {
  if (!CONSOLE_PATHS.includes(req.path)) return undefined;
  if (req.method === 'OPTIONS') return optionsAnswer(ALLOWED);
  if (req.method !== 'GET') return methodNotAllowed(req.method, req.path, ALLOWED);
  if (req.path === '/') return { status: 200, contentType: 'text/html; charset=utf-8', body: CONSOLE_PAGE };
  if (req.path === '/console/api/clock') return { status: 200, body: engineClock(deps) };
  try {
    return { status: 200, body: { journeys: await consoleJourneys(deps) } };
  } catch (err) {
    deps.log.error('console request failed', { path: req.path, error: (err as Error)?.name ?? 'Error' });
    return errorBody(500, 'internal', 'the counts could not be read; retry');
  }
}

/** The engine's time as the console header shows it; `speed` is null when time is virtual. */
export function engineClock(deps: Pick<Deps, 'clock'>): { now: string; speed: number | null } {
  return { now: new Date(deps.clock.now()).toISOString(), speed: deps.clock.speed ?? null };
}

/** Every journey of the catalog with its diagram and counts. */
export async function consoleJourneys(deps: Pick<Deps, 'table' | 'catalog' | 'clock'>): Promise<ConsoleJourney[]> {
  const counts = await journeyCounts(deps);
  const entries = deps.catalog.all();
  const svgs = await Promise.all(entries.map(({ journey }) => diagram(journey)));
  const audiences = await Promise.all(entries.map(({ journey }) => consoleAudience(deps, journey)));
  return entries.map(({ journey }, i) => {
    const c = counts[journey.id];
    const audience = audiences[i];
    return {
      id: journey.id,
      name: journey.name,
      version: journey.version,
      svg: svgs[i],
      entered: c.entered,
      ignored: c.ignored,
      exited: c.exited,
      steps: Object.entries(journey.steps).map(([id, step]) => ({ id, type: step.type, ...c.steps[id] })),
      ...(audience ? { audience } : {}),
    };
  });
}

/** An audience journey's part of the console: what it reaches, when, and what its runs did. */
async function consoleAudience(
  deps: Pick<Deps, 'table' | 'clock'>,
  journey: Journey,
): Promise<ConsoleAudience | undefined> {
  const { audience } = journey;
  if (!audience) return undefined;
  const { segment } = audience;
  const nextRun = await upcomingRun(deps.table, journey, deps.clock.now());
  return {
    segment: 'where' in segment ? conditionText(segment.where) : `file ${segment.file}`,
    schedule: describeSchedule(audience.schedule),
    ...(audience.ratePerSecond ? { ratePerSecond: audience.ratePerSecond } : {}),
    ...(nextRun ? { nextRun } : {}),
    runs: await audienceRuns(deps.table, journey.id),
  };
}

/** Laid out once per loaded journey (a reload brings new objects): ELK takes tens of milliseconds a diagram. */
const diagrams = new WeakMap<Journey, Promise<string>>();
function diagram(journey: Journey): Promise<string> {
  let svg = diagrams.get(journey);
  if (!svg) {
    svg = graphSvg(journeyGraph(journey));
    diagrams.set(journey, svg);
    // A failure is not kept: the next request tries again.
    svg.catch(() => diagrams.delete(journey));
  }
  return svg;
}
