/**
 * The HTTP API of SPEC §5 as `baton dev` serves it on 127.0.0.1. Every bad request gets a JSON
 * error naming what was wrong; internal errors are logged, never returned to the caller.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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
const MAX_BODY_BYTES = 20 * 1024 * 1024;

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
    const parsed = parseEnvelope(entry);
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

function errorBody(status: number, code: string, message: string, errors?: FieldError[]) {
  return { status, body: { error: { code, message, ...(errors ? { errors } : {}) } } };
}

async function readJson(
  req: IncomingMessage,
): Promise<{ ok: true; value: unknown } | { ok: false; status: number; message: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      return { ok: false, status: 413, message: `the body is larger than ${MAX_BODY_BYTES} bytes` };
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, status: 400, message: `the body is not valid JSON: ${(err as Error).message}` };
  }
}

type Handler = (
  deps: Deps,
  req: IncomingMessage,
  params: string[],
  url: URL,
) => Promise<{ status: number; body: unknown }>;

const routes: { method: string; pattern: RegExp; handler: Handler }[] = [
  {
    method: 'POST',
    pattern: /^\/events$/,
    handler: async (deps, req) => {
      const body = await readJson(req);
      if (!body.ok) return errorBody(body.status, 'bad-body', body.message);
      return postEvents(deps, body.value);
    },
  },
  {
    method: 'GET',
    pattern: /^\/dispatches$/,
    handler: async (deps, _req, _p, url) => ({
      status: 200,
      body: {
        dispatches: await listDispatches(deps.table, { customerId: url.searchParams.get('customerId') ?? undefined }),
      },
    }),
  },
  {
    method: 'GET',
    pattern: /^\/outbox$/,
    handler: async (deps, _req, _p, url) => ({
      status: 200,
      body: {
        messages: await listOutbox(deps.table, {
          customerId: url.searchParams.get('customerId') ?? undefined,
          limit: Number(url.searchParams.get('limit') ?? 100),
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
      const body = await readJson(req);
      if (!body.ok) return errorBody(body.status, 'bad-body', body.message);
      const value =
        body.value && typeof body.value === 'object' ? { customerId: id, ...(body.value as object) } : body.value;
      const parsed = parseProfile(value);
      if (!parsed.ok) return errorBody(400, 'bad-profile', 'the profile is not valid', parsed.errors);
      if (parsed.profile.customerId !== id) {
        return errorBody(400, 'bad-profile', `customerId ${parsed.profile.customerId} does not match the path's ${id}`);
      }
      await saveProfile(deps, parsed.profile);
      return { status: 200, body: parsed.profile };
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
    handler: async (deps, _req, [id], url) => {
      const limit = Number(url.searchParams.get('limit') ?? 50);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
        return errorBody(400, 'bad-limit', `limit takes 1 to 500, found ${url.searchParams.get('limit')}`);
      }
      const page = await listTimeline(deps.table, id, { limit, cursor: url.searchParams.get('cursor') ?? undefined });
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

/** Route one request. */
export async function handle(deps: Deps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  let result: { status: number; body: unknown };
  const matching = routes.filter((r) => r.pattern.test(url.pathname));
  const route = matching.find((r) => r.method === req.method);
  if (!route) {
    result = matching.length
      ? errorBody(
          405,
          'method-not-allowed',
          `${req.method} is not allowed on ${url.pathname}; use ${matching.map((r) => r.method).join(', ')}`,
        )
      : errorBody(404, 'not-found', `no route ${req.method} ${url.pathname}`);
  } else {
    const params = (route.pattern.exec(url.pathname) ?? []).slice(1).map(decodeURIComponent);
    try {
      result = await route.handler(deps, req, params, url);
    } catch (err) {
      deps.log.error('request failed', { method: req.method, path: url.pathname, error: String(err) });
      result = errorBody(500, 'internal', 'the request could not be processed; nothing was lost, retry it');
    }
  }
  const text = JSON.stringify(result.body);
  res.writeHead(result.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Listen on 127.0.0.1. */
export async function listen(deps: Deps, port: number): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    void handle(deps, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
