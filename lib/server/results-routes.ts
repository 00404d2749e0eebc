/**
 * The results routes of SPEC §7, locally and on AWS alike: each reads counters with one query per
 * journey (or one for channel effectiveness) over a range of days, never a scan.
 */

import { show } from '../journey/schema';
import { channelEffectiveness } from '../results/channels';
import { journeyResults } from '../results/journey-results';
import { journeyHeadlines } from '../results/report';
import { errorBody } from './response';
import { dayRangeParams, eventParam, journeyIdParam, versionParam } from './results-params';
import type { Route } from './routes';

export const resultsRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/journeys$/,
    name: '/journeys',
    query: ['from', 'to'],
    handler: async (deps, req) => {
      const range = dayRangeParams(req.query);
      if (!range.ok) return range.response;
      return { status: 200, body: { ...range.value, journeys: await journeyHeadlines(deps, range.value) } };
    },
  },
  {
    method: 'GET',
    pattern: /^\/journeys\/([^/]+)\/results$/,
    name: '/journeys/{id}/results',
    query: ['version', 'from', 'to'],
    param: journeyIdParam,
    handler: async (deps, req, id) => {
      const entry = deps.catalog.get(id);
      if (!entry) {
        const known = deps.catalog
          .all()
          .map((e) => e.journey.id)
          .sort();
        return errorBody(404, 'not-found', `no journey ${show(id)}; journeys: ${known.join(', ') || '(none)'}`);
      }
      const version = versionParam(req.query, entry.journey.version);
      if (!version.ok) return version.response;
      const range = dayRangeParams(req.query);
      if (!range.ok) return range.response;
      // The live version's document names its steps and paths; an earlier one's steps come from its counters.
      const doc = version.value === entry.journey.version ? entry.journey : undefined;
      const results = await journeyResults(deps, id, version.value, range.value, doc);
      return { status: 200, body: { journey: id, ...range.value, ...results } };
    },
  },
  {
    method: 'GET',
    pattern: /^\/channels\/effectiveness$/,
    name: '/channels/effectiveness',
    query: ['from', 'to', 'event'],
    handler: async (deps, req) => {
      const range = dayRangeParams(req.query);
      if (!range.ok) return range.response;
      const event = eventParam(req.query);
      if (!event.ok) return event.response;
      const found = await channelEffectiveness(deps.table, range.value, event.value);
      return { status: 200, body: { ...range.value, ...(event.value ? { event: event.value } : {}), ...found } };
    },
  },
];
