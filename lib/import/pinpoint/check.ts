/**
 * What makes a journey definition unreadable beyond its shape: no StartActivity, one that names
 * no activity, a wait that is not an ISO 8601 duration or date-time, a quiet time that is not
 * HH:MM, a percentage outside 0-100, a comparison Pinpoint does not have. Pinpoint itself refuses
 * such definitions, so there is no journey to import: every problem is listed, with its pointer.
 */
import { show } from '../../journey/schema';
import type { AttributeDimension, EventDimensions, JourneyDefinition, SegmentDimensions, WaitTime } from './model';
import { pointer } from './report';
import { isClock, parseDateTime, parseDuration, zoneOfOffset } from './times';

export interface DefinitionProblem {
  pointer: string;
  message: string;
}

/** The comparisons of a metric dimension (the service model documents them; its type is a string). */
export const METRIC_OPERATORS = ['GREATER_THAN', 'LESS_THAN', 'GREATER_THAN_OR_EQUAL', 'LESS_THAN_OR_EQUAL', 'EQUAL'];

/** Every problem that keeps the definition from being read as a journey; pointers relative to it. */
export function definitionProblems(def: JourneyDefinition): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const add = (at: string, message: string) => problems.push({ pointer: at, message });
  const activities = def.Activities ?? {};
  const ids = Object.keys(activities);
  if (ids.length === 0) add('/Activities', 'the journey has no activities: there is nothing to import');
  if (def.StartActivity === undefined)
    add(
      '/StartActivity',
      `StartActivity is missing: it names the first activity, one of ${ids.join(', ') || '(none)'}`,
    );
  else if (ids.length && !(def.StartActivity in activities))
    add(
      '/StartActivity',
      `StartActivity names ${show(def.StartActivity)}, which is not an activity; activities are: ${ids.join(', ')}`,
    );

  for (const [id, a] of Object.entries(activities)) {
    const at = (...path: (string | number)[]) => pointer('Activities', id, ...path);
    if (a.Wait) {
      const t = a.Wait.WaitTime;
      if (!t || (t.WaitFor === undefined && t.WaitUntil === undefined))
        add(
          at('Wait', 'WaitTime'),
          'a Wait needs WaitTime with WaitFor (an ISO 8601 duration) or WaitUntil (an ISO 8601 date-time)',
        );
      else waitTimeProblems(t, at('Wait', 'WaitTime'), add);
    }
    if (a.ConditionalSplit?.EvaluationWaitTime)
      waitTimeProblems(a.ConditionalSplit.EvaluationWaitTime, at('ConditionalSplit', 'EvaluationWaitTime'), add);
    if (a.MultiCondition?.EvaluationWaitTime)
      waitTimeProblems(a.MultiCondition.EvaluationWaitTime, at('MultiCondition', 'EvaluationWaitTime'), add);
    if (a.Holdout) percentage(a.Holdout.Percentage, at('Holdout', 'Percentage'), add);
    a.RandomSplit?.Branches?.forEach((b, i) => {
      if (b.Percentage !== undefined) percentage(b.Percentage, at('RandomSplit', 'Branches', i, 'Percentage'), add);
    });
    a.ConditionalSplit?.Condition?.Conditions?.forEach((c, i) => {
      const base = at('ConditionalSplit', 'Condition', 'Conditions', i);
      if (c.SegmentDimensions) segmentProblems(c.SegmentDimensions, `${base}/SegmentDimensions`, add);
      if (c.EventCondition?.Dimensions)
        eventProblems(c.EventCondition.Dimensions, `${base}/EventCondition/Dimensions`, add);
    });
    a.MultiCondition?.Branches?.forEach((b, i) => {
      const base = at('MultiCondition', 'Branches', i, 'Condition');
      if (b.Condition?.SegmentDimensions)
        segmentProblems(b.Condition.SegmentDimensions, `${base}/SegmentDimensions`, add);
      if (b.Condition?.EventCondition?.Dimensions)
        eventProblems(b.Condition.EventCondition.Dimensions, `${base}/EventCondition/Dimensions`, add);
    });
  }

  const filter = def.StartCondition?.EventStartCondition?.EventFilter;
  if (filter) eventProblems(filter.Dimensions, '/StartCondition/EventStartCondition/EventFilter/Dimensions', add);
  const limits = def.Limits;
  if (limits?.EndpointReentryInterval !== undefined)
    duration(limits.EndpointReentryInterval, '/Limits/EndpointReentryInterval', add);
  if (def.RefreshFrequency !== undefined) duration(def.RefreshFrequency, '/RefreshFrequency', add);
  const quiet = def.QuietTime;
  if (quiet && (quiet.Start !== undefined || quiet.End !== undefined)) {
    for (const key of ['Start', 'End'] as const) {
      const v = quiet[key];
      if (v === undefined) add(`/QuietTime/${key}`, `QuietTime needs both Start and End (HH:MM); ${key} is missing`);
      else if (!isClock(v)) add(`/QuietTime/${key}`, `expected a time of day HH:MM such as "21:00", found ${show(v)}`);
    }
  }
  const schedule = def.Schedule;
  const [start, end] = (['StartTime', 'EndTime'] as const).map((key) => {
    const v = schedule?.[key];
    const t = v === undefined ? undefined : parseDateTime(v);
    if (v !== undefined && !t)
      add(`/Schedule/${key}`, `expected an ISO 8601 date-time such as "2026-12-01T09:00:00Z", found ${show(v)}`);
    return t;
  });
  if (start && end && end.ms <= start.ms)
    add('/Schedule/EndTime', `EndTime must be after StartTime (${start.instant}), found ${show(schedule?.EndTime)}`);
  for (const [key, v] of Object.entries(limits ?? {}))
    if (typeof v === 'number' && v < 0) add(`/Limits/${key}`, `a limit is 0 or more, found ${v}`);
  for (const key of ['Cap', 'Days'] as const) {
    const v = limits?.TimeframeCap?.[key];
    if (v !== undefined && v < 0) add(`/Limits/TimeframeCap/${key}`, `a limit is 0 or more, found ${v}`);
  }
  if (schedule?.Timezone !== undefined && !zoneOfOffset(schedule.Timezone))
    add(
      '/Schedule/Timezone',
      `expected a UTC offset as Pinpoint writes it, such as "UTC", "UTC+05" or "UTC-09:30", found ${show(schedule.Timezone)}`,
    );
  return problems;
}

type Add = (at: string, message: string) => void;

function waitTimeProblems(t: WaitTime, at: string, add: Add): void {
  if (t.WaitFor !== undefined && t.WaitUntil !== undefined)
    add(at, 'a WaitTime takes one of WaitFor and WaitUntil, found both');
  if (t.WaitFor !== undefined) duration(t.WaitFor, `${at}/WaitFor`, add);
  if (t.WaitUntil !== undefined && !parseDateTime(t.WaitUntil))
    add(`${at}/WaitUntil`, `expected an ISO 8601 date-time such as "2026-12-01T09:00:00Z", found ${show(t.WaitUntil)}`);
}

function duration(v: string, at: string, add: Add): void {
  if (!parseDuration(v)) add(at, `expected an ISO 8601 duration such as "PT1H" or "P2D", found ${show(v)}`);
}

function percentage(v: number, at: string, add: Add): void {
  if (v < 0 || v > 100) add(at, `a percentage is 0 to 100, found ${v}`);
}

function segmentProblems(d: SegmentDimensions, at: string, add: Add): void {
  for (const key of ['Attributes', 'UserAttributes'] as const) {
    for (const [name, dim] of Object.entries(d[key] ?? {})) attributeProblems(dim, `${at}/${key}${pointer(name)}`, add);
  }
  for (const [name, m] of Object.entries(d.Metrics ?? {}))
    metricProblem(m.ComparisonOperator, `${at}/Metrics${pointer(name)}`, add);
}

function eventProblems(d: EventDimensions, at: string, add: Add): void {
  for (const [name, dim] of Object.entries(d.Attributes ?? {}))
    attributeProblems(dim, `${at}/Attributes${pointer(name)}`, add);
  for (const [name, m] of Object.entries(d.Metrics ?? {}))
    metricProblem(m.ComparisonOperator, `${at}/Metrics${pointer(name)}`, add);
}

function metricProblem(op: string, at: string, add: Add): void {
  if (!METRIC_OPERATORS.includes(op))
    add(`${at}/ComparisonOperator`, `found ${show(op)}; allowed: ${METRIC_OPERATORS.join(', ')}`);
}

function attributeProblems(dim: AttributeDimension, at: string, add: Add): void {
  const type = dim.AttributeType ?? 'INCLUSIVE';
  const dated = type === 'BEFORE' || type === 'AFTER' || type === 'ON' || type === 'BETWEEN';
  const want = type === 'BETWEEN' ? 2 : dated ? 1 : undefined;
  if (want !== undefined && dim.Values.length !== want)
    add(
      `${at}/Values`,
      `${type} takes ${want === 2 ? 'two date-times (from, to)' : 'one date-time'}, found ${dim.Values.length} values`,
    );
  if (dated)
    dim.Values.forEach((v, i) => {
      if (!parseDateTime(v) && !/^\d{4}-\d{2}-\d{2}$/.test(v))
        add(`${at}/Values/${i}`, `${type} compares ISO 8601 dates, found ${show(v)}`);
    });
  if (!dated && dim.Values.length === 0) add(`${at}/Values`, `${type} needs at least one value, found none`);
}
