/**
 * The path and query parameters of the API, each checked before any use case runs: a bad one is a
 * 400 that names it, the value found and what is allowed (never a 500, a reset or a silent odd answer).
 */
import { idProblem } from '../core/id-rule';
import { show } from '../journey/schema';
import { type ApiResponse, errorBody } from './response';

/** The most items one page of the timeline, the outbox or the dispatch log holds. */
export const MAX_LIMIT = 500;

export type Checked<T> = { ok: true; value: T } | { ok: false; response: ApiResponse };

/** A 400 naming what is wrong (`code`, and the message: the parameter, the value found, what is allowed). */
export const bad = (code: string, message: string): { ok: false; response: ApiResponse } => ({
  ok: false,
  response: errorBody(400, code, message),
});

/** The `{id}` of a path percent-decoded once; `what` names it in the message (`the customer id`). */
export function decodedPathId(raw: string, what: string): Checked<string> {
  try {
    return { ok: true, value: decodeURIComponent(raw) };
  } catch {
    return bad('bad-path', `${what} {id} in the path has a malformed %-escape, found ${show(raw)}; write % as %25`);
  }
}

/** A customer id from the path (`{id}`), percent-decoded once and held to the envelope's id rule. */
export function customerIdParam(raw: string): Checked<string> {
  const id = decodedPathId(raw, 'the customer id');
  if (!id.ok) return id;
  const problem = idProblem('the customer id {id} in the path', id.value);
  return problem ? bad('bad-customer-id', problem) : id;
}

/**
 * Refuse query parameters the route does not take, and any given twice (transports disagree on
 * which one wins); `allowed` empty means the route takes none.
 */
export function checkQuery(query: URLSearchParams, allowed: readonly string[], route: string): ApiResponse | undefined {
  const takes = allowed.length ? `it takes ${allowed.join(', ')}` : 'it takes none';
  for (const name of new Set(query.keys())) {
    if (!allowed.includes(name))
      return errorBody(400, 'bad-query', `unknown query parameter ${show(name)} on ${route}; ${takes}`);
    const count = query.getAll(name).length;
    if (count > 1) return errorBody(400, 'bad-query', `query parameter ${name} is given ${count} times; give it once`);
  }
  return undefined;
}

/** `?limit=`: digits making an integer from 1 to MAX_LIMIT, or `fallback` when absent. */
export function limitParam(query: URLSearchParams, fallback: number): Checked<number> {
  const raw = query.get('limit');
  if (raw === null) return { ok: true, value: fallback };
  const n = /^\d{1,6}$/.test(raw) ? Number(raw) : Number.NaN;
  return n >= 1 && n <= MAX_LIMIT
    ? { ok: true, value: n }
    : bad('bad-limit', `limit must be an integer from 1 to ${MAX_LIMIT}, found ${show(raw)}`);
}

/** `?customerId=`: a filter held to the same id rule as the path's `{id}`, or undefined when absent. */
export function customerIdFilter(query: URLSearchParams): Checked<string | undefined> {
  const raw = query.get('customerId');
  if (raw === null) return { ok: true, value: undefined };
  const problem = idProblem('the query parameter customerId', raw);
  return problem ? bad('bad-customer-id', problem) : { ok: true, value: raw };
}
