/**
 * The web console of `baton dev` (local only): the page at `/`, Chart.js for it, and the APIs it
 * needs beyond SPEC §5 and §7 — the journeys with their diagrams and per-step counts (and an
 * audience journey's schedule, next run and runs), a journey's conversion per day, its messages
 * previewed for a customer (`GET /journeys/{id}/preview`: it reads templates with Liquid, which
 * the API Lambda does not bundle), and the engine's time and speed.
 * Everything else the page shows comes from the ordinary routes (outbox, dispatches, profile,
 * context, timeline).
 */
import { audienceRuns, type RunProgress, upcomingRun } from '../audience/progress';
import { describeSchedule } from '../audience/schedule';
import type { Deps } from '../core/ports';
import { PreviewStepError, previewSends } from '../core/preview';
import { conditionText, journeyGraph } from '../journey/graph';
import { type JourneyLayout, layoutJourney } from '../journey/graph-layout';
import { renderSvg } from '../journey/graph-svg';
import { type Journey, show } from '../journey/schema';
import { dailyConversion } from '../results/daily';
import { getProfile } from '../store/profiles';
import { chartBundle } from './console/chart-bundle';
import { CONSOLE_PAGE } from './console/page';
import { type ByReason, journeyCounts } from './console-stats';
import { checkQuery, customerIdFilter } from './params';
import { type ApiRequest, type ApiResponse, errorBody, methodNotAllowed, optionsAnswer } from './response';
import { dayRangeParams, journeyIdParam } from './results-params';

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
  /** The trigger's event type (an event journey): what channel effectiveness is shown for. */
  trigger?: string;
  svg: string;
  /** Where each step's box is on the diagram, as fractions of its width and height (for the counts drawn on it). */
  boxes: StepBox[];
  entered: number;
  ignored: ByReason;
  exited: ByReason;
  /** In the order of the journey document. */
  steps: ConsoleStep[];
  /** An audience journey's segment, schedule, next run and runs. */
  audience?: ConsoleAudience;
}

/** A step's box on the diagram: left, top, width and height as fractions (0 to 1) of the whole diagram. */
export interface StepBox {
  step: string;
  x: number;
  y: number;
  width: number;
  height: number;
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

/** The console's fixed paths, and its per-journey one; all take GET only. */
const CONSOLE_PATHS = ['/', '/console/chart.js', '/console/api/journeys', '/console/api/clock'];
const DAILY_PATH = /^\/console\/api\/journeys\/([^/]+)\/daily$/;
const PREVIEW_PATH = /^\/journeys\/([^/]+)\/preview$/;
const ALLOWED = ['GET', 'OPTIONS'];

/** Answer a console request, or undefined when the request is not the console's. */
export async function consoleRoute(deps: Deps, req: ApiRequest): Promise<ApiResponse | undefined> {
  const daily = DAILY_PATH.exec(req.path);
  const preview = PREVIEW_PATH.exec(req.path);
  if (!CONSOLE_PATHS.includes(req.path) && !daily && !preview) return undefined;
  if (req.method === 'OPTIONS') return optionsAnswer(ALLOWED);
  if (req.method !== 'GET') return methodNotAllowed(req.method, req.path, ALLOWED);
  if (req.path === '/') return { status: 200, contentType: 'text/html; charset=utf-8', body: CONSOLE_PAGE };
  if (req.path === '/console/api/clock') return { status: 200, body: engineClock(deps) };
  try {
    if (req.path === '/console/chart.js')
      return { status: 200, contentType: 'text/javascript; charset=utf-8', body: await chartBundle() };
    if (daily) return await dailyRoute(deps, daily[1], req.query);
    if (preview) return await previewRoute(deps, preview[1], req.query);
    return { status: 200, body: { journeys: await consoleJourneys(deps) } };
  } catch (err) {
    deps.log.error('console request failed', { path: req.path, error: (err as Error)?.name ?? 'Error' });
    return errorBody(500, 'internal', 'the console could not read what it shows; retry');
  }
}

/** GET /console/api/journeys/{id}/daily?from=&to=: the live version's entries and conversions per day. */
async function dailyRoute(deps: Deps, raw: string, query: URLSearchParams): Promise<ApiResponse> {
  const id = journeyIdParam(raw);
  if (!id.ok) return id.response;
  const unknown = [...query.keys()].find((k) => k !== 'from' && k !== 'to');
  if (unknown !== undefined)
    return errorBody(400, 'bad-query', `unknown query parameter ${show(unknown)}; it takes from, to`);
  const range = dayRangeParams(query);
  if (!range.ok) return range.response;
  const entry = deps.catalog.get(id.value);
  if (!entry) return errorBody(404, 'not-found', `no journey ${show(id.value)}`);
  const { version } = entry.journey;
  const days = await dailyConversion(deps.table, id.value, version, range.value);
  return { status: 200, body: { journey: id.value, version, ...range.value, days } };
}

/** GET /journeys/{id}/preview?customerId=&step=: the journey's send steps rendered for the customer. */
async function previewRoute(deps: Deps, raw: string, query: URLSearchParams): Promise<ApiResponse> {
  const id = journeyIdParam(raw);
  if (!id.ok) return id.response;
  const badQuery = checkQuery(query, ['customerId', 'step'], 'GET /journeys/{id}/preview');
  if (badQuery) return badQuery;
  const entry = deps.catalog.get(id.value);
  if (!entry) return errorBody(404, 'not-found', `no journey ${show(id.value)}`);
  const customerId = customerIdFilter(query);
  if (!customerId.ok) return customerId.response;
  if (customerId.value === undefined)
    return errorBody(400, 'bad-customer-id', 'customerId is required: the customer to preview the messages for');
  const profile = await getProfile(deps.table, customerId.value);
  if (!profile) return errorBody(404, 'not-found', `no profile for customer ${customerId.value}`);
  try {
    const step = query.get('step') ?? undefined;
    const messages = await previewSends({ journey: entry.journey, templatesDir: entry.templatesDir, profile, step });
    return { status: 200, body: { journey: id.value, customerId: customerId.value, messages } };
  } catch (err) {
    if (err instanceof PreviewStepError) return errorBody(400, 'bad-step', err.message);
    throw err;
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
  const layouts = await Promise.all(entries.map(({ journey }) => diagram(journey)));
  const audiences = await Promise.all(entries.map(({ journey }) => consoleAudience(deps, journey)));
  return entries.map(({ journey }, i) => {
    const c = counts[journey.id];
    const audience = audiences[i];
    return {
      id: journey.id,
      name: journey.name,
      version: journey.version,
      ...(journey.trigger ? { trigger: journey.trigger.event } : {}),
      svg: layouts[i].svg,
      boxes: layouts[i].boxes,
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
const diagrams = new WeakMap<Journey, Promise<{ svg: string; boxes: StepBox[] }>>();
function diagram(journey: Journey): Promise<{ svg: string; boxes: StepBox[] }> {
  let laid = diagrams.get(journey);
  if (!laid) {
    laid = layoutJourney(journeyGraph(journey)).then((layout) => ({
      svg: renderSvg(layout),
      boxes: stepBoxes(journey, layout),
    }));
    diagrams.set(journey, laid);
    // A failure is not kept: the next request tries again.
    laid.catch(() => diagrams.delete(journey));
  }
  return laid;
}

/** The boxes of the journey's own steps (not the trigger, ends of holdouts or escalation rules), as fractions. */
function stepBoxes(journey: Journey, layout: JourneyLayout): StepBox[] {
  const round = (n: number) => Math.round(n * 10_000) / 10_000;
  return layout.nodes
    .filter((n) => n.node.id in journey.steps)
    .map((n) => ({
      step: n.node.id,
      x: round(n.x / layout.width),
      y: round(n.y / layout.height),
      width: round(n.width / layout.width),
      height: round(n.height / layout.height),
    }));
}
