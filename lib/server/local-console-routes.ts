/**
 * The local-only routes behind the console's drill-downs: the customers behind a count of a
 * journey (`GET /journeys/{id}/customers`) and the list of customers (`GET /customers`). Both scan
 * (console-customers.ts), so they are never served on AWS.
 */
import { idProblem } from '../core/id-rule';
import { SIMULATE_KINDS, type TimelineKind } from '../core/timeline';
import { show } from '../journey/schema';
import { customersBehind, type LineFilter, listCustomers } from './console-customers';
import { bad, type Checked, limitParam } from './params';
import { errorBody } from './response';
import { journeyIdParam } from './results-params';
import type { Route } from './routes';

/** `?cursor=`: the `next` of an earlier page, which is a customer id. */
function cursorParam(query: URLSearchParams): Checked<string | undefined> {
  const raw = query.get('cursor');
  if (raw === null) return { ok: true, value: undefined };
  const problem = idProblem('cursor (the next of an earlier page)', raw);
  return problem ? bad('bad-cursor', problem) : { ok: true, value: raw };
}

/** The line filter of `GET /journeys/{id}/customers`, held to the journey's steps and the timeline's kinds. */
function lineFilter(query: URLSearchParams, journey: string, steps: string[]): Checked<LineFilter> {
  const kind = query.get('kind');
  if (kind === null || !(SIMULATE_KINDS as readonly string[]).includes(kind))
    return bad(
      'bad-kind',
      `kind must be one of ${SIMULATE_KINDS.join(', ')}, ${kind === null ? 'and is missing' : `found ${show(kind)}`}`,
    );
  const step = query.get('step') ?? undefined;
  if (step !== undefined && !steps.includes(step))
    return bad('bad-step', `step must be a step of ${journey}: ${steps.join(', ')}; found ${show(step)}`);
  const reason = query.get('reason') ?? undefined;
  // Reasons are the engine's words or an end step's own (at most 200 characters).
  if (reason !== undefined && !/^[^\p{Cc}]{1,200}$/u.test(reason))
    return bad('bad-reason', `reason must be 1 to 200 characters without control characters, found ${show(reason)}`);
  const channel = query.get('channel') ?? undefined;
  if (channel !== undefined && !/^[a-z][a-z0-9_-]{0,31}$/.test(channel))
    return bad('bad-channel', `channel must be a lower-case channel name such as email, found ${show(channel)}`);
  return { ok: true, value: { journey, kind: kind as TimelineKind, step, reason, channel } };
}

export const localConsoleRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/customers$/,
    name: '/customers',
    query: ['limit', 'cursor'],
    localOnly: true,
    handler: async (deps, req) => {
      const limit = limitParam(req.query, 50);
      if (!limit.ok) return limit.response;
      const cursor = cursorParam(req.query);
      if (!cursor.ok) return cursor.response;
      return { status: 200, body: await listCustomers(deps.table, { limit: limit.value, cursor: cursor.value }) };
    },
  },
  {
    method: 'GET',
    pattern: /^\/journeys\/([^/]+)\/customers$/,
    name: '/journeys/{id}/customers',
    query: ['kind', 'step', 'reason', 'channel', 'limit', 'cursor'],
    param: journeyIdParam,
    localOnly: true,
    handler: async (deps, req, id) => {
      const entry = deps.catalog.get(id);
      if (!entry) return errorBody(404, 'not-found', `no journey ${show(id)}`);
      const filter = lineFilter(req.query, id, Object.keys(entry.journey.steps));
      if (!filter.ok) return filter.response;
      const limit = limitParam(req.query, 50);
      if (!limit.ok) return limit.response;
      const cursor = cursorParam(req.query);
      if (!cursor.ok) return cursor.response;
      const page = await customersBehind(deps.table, filter.value, { limit: limit.value, cursor: cursor.value });
      return { status: 200, body: { journey: id, filter: filter.value, ...page } };
    },
  },
];
