/**
 * The HTTP API of SPEC §5, independent of transport: `baton dev`'s server and the API Lambda on
 * AWS route through the same table. Every bad request gets a JSON error naming what was wrong;
 * internal errors are logged and never returned to the caller.
 */
import { listDispatches } from '../channels/dispatch-log';
import { listOutbox } from '../channels/outbox';
import { customerContext } from '../core/customer-context';
import { type FieldError, parseEnvelope } from '../core/envelope';
import { eraseCustomer } from '../core/erasure';
import { ingest } from '../core/ingest';
import type { Deps } from '../core/ports';
import { saveProfile } from '../core/preferences';
import { parseProfile } from '../core/profile';
import { listTimeline } from '../core/timeline';
import { consentHistory, getProfile } from '../store/profiles';

export const MAX_BATCH = 500;

export interface EntryResult {
  id?: string;
  status: 'accepted' | 'duplicate' | 'rejected';
  errors?: FieldError[];
}

/** POST /events: one envelope or an array of at most 500; a bad entry never blocks the good ones. */
export async function postEvents(deps: Deps, body: unknown): Promise<{ status: number; body: unknown }> {
  const entries = Array.isArray(body) ? body : [body];
  if (entries.length === 0 || entries.length > MAX_BATCH) {
    return errorBody(
      400,
      'bad-batch',
      `send one event or an array of 1 to ${MAX_BATCH} events, found ${entries.length}`,
    );
  }
  const results: EntryResult[] = [];
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
    results.push({ id: parsed.event.id, status: await ingest(deps, parsed.event) });
  }
  return { status: 200, body: { failedCount: results.filter((r) => r.status === 'rejected').length, results } };
}

export function errorBody(status: number, code: string, message: string, errors?: FieldError[]): ApiResponse {
  return { status, body: { error: { code, message, ...(errors ? { errors } : {}) } } };
}

/** A request as any transport hands it over: the local server, or API Gateway. */
export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The raw body, when there is one. */
  body?: string;
}

export interface ApiResponse {
  status: number;
  body: unknown;
  /** Set for a body that is not JSON (the local console's page): the body is then sent as is. */
  contentType?: string;
}

type Handler = (deps: Deps, req: ApiRequest, params: string[]) => Promise<ApiResponse>;

function jsonBody(req: ApiRequest): { ok: true; value: unknown } | { ok: false; response: ApiResponse } {
  try {
    return { ok: true, value: JSON.parse(req.body ?? '') };
  } catch (err) {
    return { ok: false, response: errorBody(400, 'bad-body', `the body is not valid JSON: ${(err as Error).message}`) };
  }
}

const routes: { method: string; pattern: RegExp; handler: Handler; localOnly?: boolean }[] = [
  {
    method: 'POST',
    pattern: /^\/events$/,
    handler: async (deps, req) => {
      const body = jsonBody(req);
      return body.ok ? postEvents(deps, body.value) : body.response;
    },
  },
  {
    method: 'GET',
    pattern: /^\/dispatches$/,
    localOnly: true,
    handler: async (deps, req) => ({
      status: 200,
      body: {
        dispatches: await listDispatches(deps.table, { customerId: req.query.get('customerId') ?? undefined }),
      },
    }),
  },
  {
    method: 'GET',
    pattern: /^\/outbox$/,
    localOnly: true,
    handler: async (deps, req) => ({
      status: 200,
      body: {
        messages: await listOutbox(deps.table, {
          customerId: req.query.get('customerId') ?? undefined,
          limit: Number(req.query.get('limit') ?? 100),
        }),
      },
    }),
  },
  {
    method: 'GET',
    pattern: /^\/customers\/([^/]+)\/profile$/,
    handler: async (deps, _req, [id]) => {
      const profile = await getProfile(deps.table, id);
      return profile ? { status: 200, body: profile } : errorBody(404, 'not-found', `no profile for customer ${id}`);
    },
  },
  {
    method: 'PUT',
    pattern: /^\/customers\/([^/]+)\/profile$/,
    handler: async (deps, req, [id]) => {
      const body = jsonBody(req);
      if (!body.ok) return body.response;
      const value =
        body.value && typeof body.value === 'object' ? { customerId: id, ...(body.value as object) } : body.value;
      const parsed = parseProfile(value);
      if (!parsed.ok) return errorBody(400, 'bad-profile', 'the profile is not valid', parsed.errors);
      if (parsed.profile.customerId !== id) {
        return errorBody(400, 'bad-profile', `customerId ${parsed.profile.customerId} does not match the path's ${id}`);
      }
      return { status: 200, body: await saveProfile(deps, parsed.profile) };
    },
  },
  {
    method: 'GET',
    pattern: /^\/customers\/([^/]+)\/consent$/,
    handler: async (deps, _req, [id]) => ({ status: 200, body: { history: await consentHistory(deps.table, id) } }),
  },
  {
    method: 'GET',
    pattern: /^\/customers\/([^/]+)\/timeline$/,
    handler: async (deps, req, [id]) => {
      const limit = Number(req.query.get('limit') ?? 50);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
        return errorBody(400, 'bad-limit', `limit takes 1 to 500, found ${req.query.get('limit')}`);
      }
      const page = await listTimeline(deps.table, id, { limit, cursor: req.query.get('cursor') ?? undefined });
      if (!page) return errorBody(400, 'bad-cursor', 'cursor is not one this API gave out');
      return { status: 200, body: page };
    },
  },
  {
    method: 'GET',
    pattern: /^\/customers\/([^/]+)\/context$/,
    handler: async (deps, _req, [id]) => ({ status: 200, body: await customerContext(deps, id) }),
  },
  {
    method: 'DELETE',
    pattern: /^\/customers\/([^/]+)$/,
    handler: async (deps, _req, [id]) => ({
      status: 200,
      body: { customerId: id, erased: true, ...(await eraseCustomer(deps, id)) },
    }),
  },
  {
    method: 'GET',
    pattern: /^\/health$/,
    handler: async (deps) => ({
      status: 200,
      body: { ok: true, journeys: deps.catalog.all().map((e) => e.journey.id) },
    }),
  },
];

/** Route one request; `local` enables the local-only routes (outbox, dispatch log). */
export async function route(deps: Deps, req: ApiRequest, opts: { local: boolean }): Promise<ApiResponse> {
  const matching = routes.filter((r) => r.pattern.test(req.path) && (opts.local || !r.localOnly));
  const found = matching.find((r) => r.method === req.method);
  if (!found) {
    return matching.length
      ? errorBody(
          405,
          'method-not-allowed',
          `${req.method} is not allowed on ${req.path}; use ${matching.map((r) => r.method).join(', ')}`,
        )
      : errorBody(404, 'not-found', `no route ${req.method} ${req.path}`);
  }
  const params = (found.pattern.exec(req.path) ?? []).slice(1).map(decodeURIComponent);
  try {
    return await found.handler(deps, req, params);
  } catch (err) {
    deps.log.error('request failed', {
      method: req.method,
      path: found.pattern.source,
      error: (err as Error)?.name ?? 'Error',
    });
    return errorBody(500, 'internal', 'the request could not be processed; nothing was lost, retry it');
  }
}
