/**
 * How participants enter: an EventStartCondition becomes a `trigger` (its event type, and its
 * attribute and metric filters as `where` on the trigger's data); a SegmentStartCondition
 * becomes an `audience` (SPEC §6): the segment's dimensions as `where` when its definition was
 * passed, else an audience file to fill; Schedule, LocalTime and RefreshFrequency become the
 * audience's schedule, MessagesPerSecond its rate.
 */
import type { Condition, Journey } from '../../journey/schema';
import { show } from '../../journey/schema';
import { type ConditionContext, eventDataCondition, segmentCondition } from './conditions';
import type { JourneyDefinition } from './model';
import { eventType, templateName } from './naming';
import type { Report } from './report';
import { instantOf, parseDateTime, parseDuration, wallTimeAt, zoneOfOffset } from './times';

/** An audience as SPEC §6 writes it. */
export interface Audience {
  segment: { where: Condition } | { file: string };
  schedule?: { start: string; localTime?: boolean; repeat?: string; end?: string };
  ratePerSecond?: number;
}

export type Start = { trigger: Journey['trigger'] } | { audience: Audience };

/** The event that starts a journey whose start condition could not be read: no channel system sends it. */
export const PLACEHOLDER_EVENT = 'pinpoint.journey.start';

/** The trigger or audience of a definition. */
export function startOf(def: JourneyDefinition, ctx: ConditionContext): Start {
  const report = ctx.report;
  const start = def.StartCondition;
  const event = start?.EventStartCondition;
  const segment = start?.SegmentStartCondition;
  if (event && segment)
    report.todo(
      '/StartCondition',
      'the start condition has both an event and a segment; Pinpoint uses one: imported as the event journey, the SegmentStartCondition is not imported',
    );
  if (event) return { trigger: triggerOf(def, ctx) };
  if (segment) return { audience: audienceOf(def, segment.SegmentId, ctx) };
  report.todo(
    '/StartCondition',
    `the journey has no start condition: written with a trigger on ${PLACEHOLDER_EVENT}, which nothing sends; set the trigger (or an audience) by hand`,
  );
  return { trigger: { event: PLACEHOLDER_EVENT } };
}

function triggerOf(def: JourneyDefinition, ctx: ConditionContext): Journey['trigger'] {
  const report = ctx.report;
  const cond = def.StartCondition!.EventStartCondition!;
  const at = '/StartCondition/EventStartCondition';
  const where: Condition[] = [];
  let event = PLACEHOLDER_EVENT;
  const filter = cond.EventFilter;
  if (!filter)
    report.todo(
      at,
      `the event start condition has no EventFilter: written with a trigger on ${PLACEHOLDER_EVENT}; set the event by hand`,
    );
  else {
    const dims = filter.Dimensions;
    const types = dims.EventType?.Values ?? [];
    const typeAt = `${at}/EventFilter/Dimensions/EventType`;
    if (types.length === 0)
      report.todo(
        typeAt,
        `the filter names no event type: written with a trigger on ${PLACEHOLDER_EVENT}; set the event by hand`,
      );
    else if (dims.EventType?.DimensionType === 'EXCLUSIVE')
      report.todo(
        typeAt,
        `the journey starts on any event except ${types.map((t) => show(t)).join(', ')}; a Baton trigger names one event: written with a trigger on ${PLACEHOLDER_EVENT}, set it by hand`,
      );
    else {
      event = eventType(types[0]);
      if (event !== types[0])
        report.note(
          `${typeAt}/Values/0`,
          `event type ${show(types[0])} is written as ${show(event)} (Baton event types are lower-case, dot-separated): channel systems send it as ${event}`,
        );
      if (types.length > 1)
        report.todo(
          `${typeAt}/Values`,
          `the journey starts on any of ${types.map((t) => show(t)).join(', ')}; a Baton trigger names one event: written for ${show(event)}, copy the journey for each other event`,
        );
      if (filter.FilterType === 'SYSTEM')
        report.note(
          `${at}/EventFilter/FilterType`,
          `Pinpoint raised ${show(types[0])} itself (a SYSTEM event); in Baton a channel system sends it as an event envelope`,
        );
    }
    const data = eventDataCondition(dims, `${at}/EventFilter/Dimensions`, ctx);
    if (data) where.push(data);
  }
  if (cond.SegmentId !== undefined) where.push(segmentCondition(cond.SegmentId, `${at}/SegmentId`, ctx));
  if (def.Schedule?.StartTime !== undefined || def.Schedule?.EndTime !== undefined)
    report.todo(
      '/Schedule',
      `a Baton event journey takes entries while it is deployed: deploy it at ${def.Schedule.StartTime ?? 'the start'} and remove it at ${def.Schedule.EndTime ?? 'the end'} (Pinpoint's schedule window${def.LocalTime ? ", read in each participant's local time" : ''})`,
    );
  if (def.RefreshFrequency !== undefined)
    report.note(
      '/RefreshFrequency',
      'an event journey enters participants as their events arrive: RefreshFrequency has nothing to refresh',
    );
  const trigger: Journey['trigger'] = { event };
  if (where.length) trigger.where = where.length === 1 ? where[0] : { all: where };
  return trigger;
}

function audienceOf(def: JourneyDefinition, segmentId: string, ctx: ConditionContext): Audience {
  const report = ctx.report;
  const at = '/StartCondition/SegmentStartCondition';
  const found = ctx.segment(segmentId);
  let segment: Audience['segment'];
  if (found && !(found.segment.SegmentType === 'IMPORT' || found.segment.ImportDefinition))
    segment = { where: segmentCondition(segmentId, `${at}/SegmentId`, ctx) };
  else {
    const file = `audiences/${templateName(found?.segment.Name ?? segmentId)}.jsonl`;
    segment = { file };
    report.todo(
      `${at}/SegmentId`,
      `${found ? 'the segment was imported from a file' : `segment ${show(segmentId)} was not passed beside the journey`}: list its members' customer ids in ${file} beside the journey (export them with aws pinpoint create-export-job, SegmentId ${segmentId})${found ? '' : ', or pass the segment (aws pinpoint get-segment) to turn its dimensions into a where'}`,
    );
  }
  const audience: Audience = { segment };
  const schedule = scheduleOf(def, report);
  if (schedule) audience.schedule = schedule;
  const rate = def.Limits?.MessagesPerSecond;
  if (rate !== undefined && rate > 0) {
    audience.ratePerSecond = rate;
    report.note(
      '/Limits/MessagesPerSecond',
      `Baton caps entries per second of each run (ratePerSecond ${rate}); Pinpoint capped messages per second`,
    );
  }
  if (def.RefreshOnSegmentUpdate)
    report.todo(
      '/RefreshOnSegmentUpdate',
      'Baton decides membership at each run of the schedule, not when the segment changes: shorten schedule.repeat, or start the journey from an event',
    );
  if (def.Limits?.EndpointReentryCap === undefined && schedule?.repeat)
    report.note(
      '/Limits',
      'every run enters every member once; without EndpointReentryCap no entry limit is written, so members re-enter at each run unless entry.limit says otherwise',
    );
  return audience;
}

function scheduleOf(def: JourneyDefinition, report: Report): Audience['schedule'] {
  const s = def.Schedule;
  const startText = s?.StartTime;
  const repeat = def.RefreshFrequency === undefined ? undefined : repeatOf(def.RefreshFrequency, report);
  if (startText === undefined) {
    report.todo(
      '/Schedule',
      'Pinpoint started this journey when it was published; Baton starts an audience journey at schedule.start: set it by hand',
    );
    return undefined;
  }
  const start = parseDateTime(startText)!;
  const schedule: NonNullable<Audience['schedule']> = { start: start.instant };
  if (def.LocalTime) {
    const offset = s?.Timezone === undefined ? undefined : zoneOfOffset(s.Timezone)?.offsetMinutes;
    const wall = offset === undefined ? start.wall : wallTimeAt(start.ms, offset);
    schedule.start = wall;
    schedule.localTime = true;
    report.note(
      '/LocalTime',
      `each customer enters at ${wall.slice(0, 16).replace('T', ' ')} on their own clock${offset === undefined ? '' : ` (StartTime ${startText} read in ${s?.Timezone})`}; customers without a zone use settings.timezone`,
    );
  }
  // Pinpoint reads Schedule.Timezone only with LocalTime: otherwise a time without offset is UTC.
  if (!def.LocalTime) instantOf(startText, '/Schedule/StartTime', report);
  if (repeat) schedule.repeat = repeat;
  if (s?.EndTime !== undefined) schedule.end = instantOf(s.EndTime, '/Schedule/EndTime', report);
  return schedule;
}

function repeatOf(text: string, report: Report): string {
  const d = parseDuration(text)!;
  if (d.seconds < 3600) {
    report.todo('/RefreshFrequency', `Baton repeats an audience at most hourly; ${show(text)} is written as PT1H`);
    return 'PT1H';
  }
  if (d.text !== text)
    report.note('/RefreshFrequency', `${show(text)} is written as ${d.text}: Baton writes durations in whole units`);
  return d.text;
}
