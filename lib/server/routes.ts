/**
 * The HTTP API of SPEC §5, independent of transport: `baton dev`'s server and the API Lambda on
 * AWS route through the same table. Every bad request gets a JSON error naming what was wrong;
 * internal errors are logged and never returned to the caller.
 */
import { listDispatches } from '../channels/dispatch-log';
import { listOutbox } from '../channels/outbox';
import { customerContext } from '../core/customer-context';
import { type Envelope, type FieldError, parseEnvelope } from '../core/envelope';
import { eraseCustomer } from '../core/erasure';
import { ingest } from '../core/ingest';
import type { Deps } from '../core/ports';
import { saveProfile } from '../core/preferences';
import { parseProfile } from '../core/profile';
import { listTimeline } from '../core/timeline';
import { show } from '../journey/schema';
import { consentHistory, getProfile } from '../store/profiles';
import { type EventIntake, queueFullAnswer } from './intake';
import { localConsoleRoutes } from './local-console-routes';
import { type Checked, checkQuery, customerIdFilter, customerIdParam, limitParam } from './params';
import {
  type ApiRequest,
  type ApiResponse,
  errorBody,
  isJsonContentType,
  methodNotAllowed,
  optionsAnswer,
  unsupportedMediaType,
} from './response';
import { resultsRoutes } from './results-routes';

export { type ApiRequest, type ApiResponse, errorBody } from './response';

export const MAX_BATCH = 500;

export interface EntryResult {
  id?: string;
  status: 'accepted' | 'duplicate' | 'rejected';
  errors?: FieldError[];
}

/**
 * POST /events: one envelope or an array of at most 500; a bad entry never blocks the good ones.
 * With an intake (`baton dev`) the good ones are stored together and processed after the answer;
 * without one (AWS) each is processed before it.
 */
export async function postEvents(deps: Deps, body: unknown, intake?: EventIntake): Promise<ApiResponse> {
  const entries = Array.isArray(body) ? body : [body];
  if (entries.length === 0 || entries.length > MAX_BATCH) {
    return errorBody(
      400,
      'bad-batch',
      `send one event or an array of 1 to ${MAX_BATCH} events, found ${entries.length}`,
    );
  }
  const results: EntryResult[] = [];
  const good: { at: number; event: Envelope }[] = [];
  for (const entry of entries) {
    const parsed = parseEnvelope(entry, deps.clock.now());
    if (!parsed.ok) {
      const id =
        entry && typeof entry === 'object' && typeof (entry as { id?: unknown }).id === 'string'
          ? (entry as { id: string }).id
          : undefined;
      results.push({ ...(id ? { id } : {}), status: 'rejected', errors: parsed.errors });
      continue;
    }
    good.push({ at: results.length, event: parsed.event });
    results.push({ id: parsed.event.id, status: 'accepted' });
  }
  if (intake && good.length) {
    const answer = await intake.accept(good.map((g) => g.event));
    if ('full' in answer) return queueFullAnswer(answer.full);
    for (const [n, g] of good.entries()) results[g.at].status = answer.statuses[n];
  } else {
    for (const g of good) results[g.at].status = await ingest(deps, g.event);
  }
  return { status: 200, body: { failedCount: results.filter((r) => r.status === 'rejected').length, results } };
}

/** `id` is the id of the path (`{id}`), decoded and checked: a customer's, or what the route's `param` checks. */
type Handler = (deps: Deps, req: ApiRequest, id: string, intake: EventIntake | undefined) => Promise<ApiResponse>;

export interface Route {
  method: string;
  /** Its one capture group, when it has one, is the id `{id}`: a customer id unless `param` says. */
  pattern: RegExp;
  /** How the route decodes and checks its `{id}` (default: a customer id). */
  param?: (raw: string) => Checked<string>;
  /** How the route is named in messages. */
  name: string;
  handler: Handler;
  /** The query parameters it takes; any other is refused. Undefined: not checked. */
  query?: readonly string[];
  localOnly?: boolean;
}

function jsonBody(req: ApiRequest): { ok: true; value: unknown } | { ok: false; response: ApiResponse } {
  try {
    return { ok: true, value: JSON.parse(req.body ?? '') };
  } catch (err) {
    return { ok: false, response: errorBody(400, 'bad-body', `the body is not valid JSON: ${(err as Error).message}`) };
  }
}

/** GET /outbox and /dispatches (local only): what the local engine delivered, filtered by customer. */
async function localLog(
  req: ApiRequest,
  key: 'messages' | 'dispatches',
  list: (filter: { customerId?: string; limit: number }) => Promise<unknown[]>,
): Promise<ApiResponse> {
  const customerId = customerIdFilter(req.query);
  if (!customerId.ok) return customerId.response;
  const limit = limitParam(req.query, 100);
  if (!limit.ok) return limit.response;
  return { status: 200, body: { [key]: await list({ customerId: customerId.value, limit: limit.value }) } };
}

const routes: Route[] = [
  {
    method: 'POST',
    pattern: /^\/events$/,
    name: '/events',
    query: [],
    handler: async (deps, req, _id, intake) => {
      const body = jsonBody(req);
      return body.ok ? postEvents(deps, body.value, intake) : body.response;
    },
  },
  {
    method: 'GET',
    pattern: /^\/dispatches$/,
    name: '/dispatches',
    query: ['customerId', 'limit'],
    localOnly: true,
    handler: (deps, req) => localLog(req, 'dispatches', (filter) => listDispatches(deps.table, filter)),
  },
  {
    method: 'GET',
    pattern: /^\/outbox$/,
    name: '/outbox',
    query: ['customerId', 'limit'],
    localOnly: true,
    handler: (deps, req) => localLog(req, 'messages', (filter) => listOutbox(deps.table, filter)),
  },
  {
    method: 'GET',
    pattern: /^\/customers\/([^/]+)\/profile$/,
    name: '/customers/{id}/profile',
    query: [],
    handler: async (deps, _req, id) => {
      const profile = await getProfile(deps.table, id);
      return profile ? { status: 200, body: profile } : errorBody(404, 'not-found', `no profile for customer ${id}`);
    },
  },
  {
    method: 'PUT',
    pattern: /^\/customers\/([^/]+)\/profile$/,
    name: '/customers/{id}/profile',
    query: [],
    handler: async (deps, req, id) => {
      const body = jsonBody(req);
      if (!body.ok) return body.response;
      const value =
        body.value && typeof body.value === 'object' && !Array.isArray(body.value)
          ? { customerId: id, ...(body.value as object) }
          : body.value;
      const parsed = parseProfile(value);
      if (!parsed.ok) return errorBody(400, 'bad-profile', 'the profile is not valid', parsed.errors);
      if (parsed.profile.customerId !== id) {
        const message = `customerId must be the path's ${show(id)} or left out, found ${show(parsed.profile.customerId)}`;
        return errorBody(400, 'bad-profile', 'the profile is not valid', [{ path: '/customerId', message }]);
      }
      return { status: 200, body: await saveProfile(deps, parsed.profile) };
    },
  },
  {
    method: 'GET',
    pattern: /^\/customers\/([^/]+)\/consent$/,
    name: '/customers/{id}/consent',
    query: [],
    handler: async (deps, _req, id) => ({ status: 200, body: { history: await consentHistory(deps.table, id) } }),
  },
  {
    method: 'GET',
    pattern: /^\/customers\/([^/]+)\/timeline$/,
    name: '/customers/{id}/timeline',
    query: ['limit', 'cursor'],
    handler: async (deps, req, id) => {
      const limit = limitParam(req.query, 50);
      if (!limit.ok) return limit.response;
      const cursor = req.query.get('cursor') ?? undefined;
      const page = await listTimeline(deps.table, id, { limit: limit.value, cursor });
      if (!page) {
        return errorBody(
          400,
          'bad-cursor',
          `cursor must be the next of an earlier page of this customer's timeline, found ${show(cursor)}`,
        );
      }
      return { status: 200, body: page };
    },
  },
  {
    method: 'GET',
    pattern: /^\/customers\/([^/]+)\/context$/,
    name: '/customers/{id}/context',
    query: [],
    handler: async (deps, _req, id) => ({ status: 200, body: await customerContext(deps, id) }),
  },
  {
    method: 'DELETE',
    pattern: /^\/customers\/([^/]+)$/,
    name: '/customers/{id}',
    query: [],
    handler: async (deps, _req, id, intake) => {
      // None of the customer's events may be half-processed meanwhile: it would write their data back.
      const erase = () => eraseCustomer(deps, id);
      const result = intake ? await intake.exclusive(id, erase) : await erase();
      return { status: 200, body: { customerId: id, erased: true, ...result } };
    },
  },
  {
    method: 'GET',
    pattern: /^\/health$/,
    name: '/health',
    query: [],
    handler: async (deps, _req, _id, intake) => ({
      status: 200,
      body: {
        ok: true,
        journeys: deps.catalog.all().map((e) => e.journey.id),
        // Locally: events accepted and not yet processed.
        ...(intake ? { eventsWaiting: intake.waiting } : {}),
      },
    }),
  },
  ...resultsRoutes,
  ...localConsoleRoutes,
];

/** The methods a path takes (with OPTIONS, answered locally), or none when no route has the path. */
export function allowedMethods(path: string, opts: { local: boolean }): string[] {
  const methods = routes.filter((r) => r.pattern.test(path) && (opts.local || !r.localOnly)).map((r) => r.method);
  return methods.length ? [...new Set(methods), ...(opts.local ? ['OPTIONS'] : [])] : [];
}

/**
 * Route one request; `local` enables the local-only routes (outbox, dispatch log), `intake` is
 * `baton dev`'s event queue. Checks come in the order a caller fixes them: the route, the method,
 * the body's type, then each parameter.
 */
export async function route(
  deps: Deps,
  req: ApiRequest,
  opts: { local: boolean; intake?: EventIntake },
): Promise<ApiResponse> {
  const allowed = allowedMethods(req.path, opts);
  if (!allowed.length) return errorBody(404, 'not-found', `no route ${req.method} ${show(req.path)}`);
  if (req.method === 'OPTIONS' && allowed.includes('OPTIONS')) return optionsAnswer(allowed);
  const found = routes.find((r) => r.method === req.method && r.pattern.test(req.path) && (opts.local || !r.localOnly));
  if (!found) return methodNotAllowed(req.method, show(req.path), allowed);
  if (req.body !== undefined && !isJsonContentType(req.contentType)) return unsupportedMediaType(req.contentType);
  const raw = found.pattern.exec(req.path)?.[1];
  const id = raw === undefined ? undefined : (found.param ?? customerIdParam)(raw);
  if (id && !id.ok) return id.response;
  const badQuery = found.query && checkQuery(req.query, found.query, `${found.method} ${found.name}`);
  if (badQuery) return badQuery;
  try {
    return await found.handler(deps, req, id?.value ?? '', opts.intake);
  } catch (err) {
    deps.log.error('request failed', {
      method: req.method,
      path: found.name,
      error: (err as Error)?.name ?? 'Error',
    });
    return errorBody(500, 'internal', 'the request could not be processed; nothing was lost, retry it');
  }
}
