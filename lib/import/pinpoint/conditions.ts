/**
 * Pinpoint conditions as Baton conditions (SPEC §3): endpoint and user attributes and metrics
 * become conditions on `profile.attributes.*`; message events of an earlier activity
 * (`_email.open`, `_SMS.SUCCESS`...) become conditions on `messages.<step>.status`; event filters
 * become conditions on the trigger's `data`; a segment becomes the conditions of its dimensions
 * when its definition was passed beside the journey. What has no equivalent becomes a condition
 * that never holds until it is replaced, and a report item that says where.
 */
import type { Channel, Condition } from '../../journey/schema';
import { assertNever, show } from '../../journey/schema';
import { messageEventCondition } from './message-conditions';
import type {
  AttributeDimension,
  EventDimensions,
  MetricDimension,
  SegmentDimensions,
  SetDimension,
  SimpleCondition,
} from './model';
import { dataField, profileAttribute } from './naming';
import { type Place, pointer, type Report } from './report';
import type { Segment } from './resources';

export interface ConditionContext {
  report: Report;
  /** The send step a message activity became, or why there is none. */
  messageStep(activityId: string): { step: string; channel: Channel } | { why: string };
  /** A segment passed beside the journey, and where it was read. */
  segment(id: string): { segment: Segment; place: Place } | undefined;
  /** Where the conditions being read sit, when not in the journey (a segment's own file). */
  place?: Place;
}

/** A todo at a pointer of the conditions being read. */
export function todo(ctx: ConditionContext, at: string, message: string): void {
  ctx.report.todo(at, message, ctx.place);
}

/** A note at a pointer of the conditions being read. */
export function note(ctx: ConditionContext, at: string, message: string): void {
  ctx.report.note(at, message, ctx.place);
}

/** The attribute every unmapped condition reads: absent, so the condition never holds until it is replaced. */
export const UNMAPPED_ATTRIBUTE = 'pinpoint_unmapped';

/** A condition that never holds, naming the source part it stands for. */
export function unmappedCondition(at: string): Condition {
  return { path: `profile.attributes.${UNMAPPED_ATTRIBUTE}`, eq: at };
}

function all(parts: Condition[]): Condition {
  return parts.length === 1 ? parts[0] : { all: parts };
}

/** Any of the conditions (the one itself when alone). */
export function any(parts: Condition[]): Condition {
  return parts.length === 1 ? parts[0] : { any: parts };
}

/** One of a split's conditions. */
export function simpleCondition(cond: SimpleCondition | undefined, at: string, ctx: ConditionContext): Condition {
  const parts: Condition[] = [];
  const given = (['EventCondition', 'SegmentCondition', 'SegmentDimensions'] as const).filter((k) => cond?.[k]);
  if (!cond || given.length === 0) {
    todo(
      ctx,
      at,
      'the condition is empty: Pinpoint gives it no criteria; write it by hand (it never holds as written)',
    );
    return unmappedCondition(at);
  }
  if (given.length > 1)
    todo(
      ctx,
      at,
      `the condition sets ${given.join(' and ')} at once; Pinpoint reads one of them: all of them must hold as written, check it`,
    );
  if (cond.EventCondition) parts.push(messageEventCondition(cond.EventCondition, `${at}/EventCondition`, ctx));
  if (cond.SegmentCondition)
    parts.push(segmentCondition(cond.SegmentCondition.SegmentId, `${at}/SegmentCondition`, ctx));
  if (cond.SegmentDimensions) parts.push(segmentDimensions(cond.SegmentDimensions, `${at}/SegmentDimensions`, ctx));
  return all(parts);
}

/** Membership of a segment: its dimensions when its definition was passed, else a condition to write by hand. */
export function segmentCondition(id: string, at: string, ctx: ConditionContext, seen = new Set<string>()): Condition {
  const found = ctx.segment(id);
  if (!found) {
    todo(
      ctx,
      at,
      `segment ${show(id)}: pass its definition (aws pinpoint get-segment --application-id <app> --segment-id ${id}) beside the journey to turn its dimensions into profile conditions, or write the condition by hand (it never holds as written)`,
    );
    return unmappedCondition(at);
  }
  const { segment, place } = found;
  if (seen.has(id)) {
    todo({ ...ctx, place }, '/SegmentGroups', `segment ${show(id)} is built on itself; write its condition by hand`);
    return unmappedCondition(at);
  }
  seen.add(id);
  const withPlace: ConditionContext = { ...ctx, place };
  if (segment.SegmentType === 'IMPORT' || segment.ImportDefinition) {
    todo(
      { ...ctx, place },
      '',
      `segment ${show(segment.Name ?? id)} was imported from a file: its members are a list, not conditions; list their customer ids in an audience file instead, or write the condition by hand (it never holds as written)`,
    );
    return unmappedCondition(at);
  }
  const parts: Condition[] = [];
  if (segment.Dimensions) parts.push(segmentDimensions(segment.Dimensions, '/Dimensions', withPlace));
  const groups = segment.SegmentGroups;
  if (groups?.Groups?.length) {
    const each = groups.Groups.map((g, i) => {
      const gAt = `/SegmentGroups/Groups/${i}`;
      const inner: Condition[] = [];
      if (g.SourceSegments?.length) {
        const sources = g.SourceSegments.map((s, j) =>
          segmentCondition(s.Id, `${gAt}/SourceSegments/${j}`, withPlace, new Set(seen)),
        );
        inner.push(combine(g.SourceType ?? 'ANY', sources));
      }
      if (g.Dimensions?.length) {
        const dims = g.Dimensions.map((d, j) => segmentDimensions(d, `${gAt}/Dimensions/${j}`, withPlace));
        inner.push(combine(g.Type ?? 'ALL', dims));
      }
      return all(inner.length ? inner : [{ all: [] }]);
    });
    parts.push(combine(groups.Include ?? 'ALL', each));
  }
  return parts.length ? all(parts) : { all: [] };
}

function combine(type: 'ALL' | 'ANY' | 'NONE', parts: Condition[]): Condition {
  if (type === 'ALL') return all(parts);
  if (type === 'ANY') return any(parts);
  return { not: any(parts) };
}

/** Conditions on the profile from segment dimensions: attributes, metrics, channel; the rest is reported. */
export function segmentDimensions(d: SegmentDimensions, at: string, ctx: ConditionContext): Condition {
  const parts: Condition[] = [];
  for (const key of ['Attributes', 'UserAttributes'] as const) {
    for (const [name, dim] of Object.entries(d[key] ?? {})) {
      parts.push(
        attributeCondition(
          profilePath(name, `${at}/${key}${pointer(name)}`, ctx),
          dim,
          `${at}/${key}${pointer(name)}`,
          ctx,
        ),
      );
    }
  }
  for (const [name, m] of Object.entries(d.Metrics ?? {})) {
    parts.push(metricCondition(profilePath(name, `${at}/Metrics${pointer(name)}`, ctx), m));
  }
  const demo = d.Demographic;
  if (demo?.Channel) parts.push(channelCondition(demo.Channel, `${at}/Demographic/Channel`, ctx));
  for (const key of ['AppVersion', 'DeviceType', 'Make', 'Model', 'Platform'] as const) {
    if (!demo?.[key]) continue;
    const where = `${at}/Demographic/${key}`;
    todo(
      ctx,
      where,
      `a Baton profile has no device ${key}: keep it as a profile attribute (e.g. profile.attributes.${profileAttribute(key)}) and write the condition by hand (it never holds as written)`,
    );
    parts.push(unmappedCondition(where));
  }
  for (const key of ['Country', 'GPSPoint'] as const) {
    if (!d.Location?.[key]) continue;
    const where = `${at}/Location/${key}`;
    todo(
      ctx,
      where,
      `a Baton profile has no location: keep the ${key === 'Country' ? 'country' : 'position'} as a profile attribute and write the condition by hand (it never holds as written)`,
    );
    parts.push(unmappedCondition(where));
  }
  if (d.Behavior?.Recency) {
    const where = `${at}/Behavior/Recency`;
    todo(
      ctx,
      where,
      'Baton keeps no app-activity recency: record the last activity as a profile attribute (an update step or your profile sync) and write the condition by hand (it never holds as written)',
    );
    parts.push(unmappedCondition(where));
  }
  return parts.length ? all(parts) : { all: [] };
}

function profilePath(name: string, at: string, ctx: ConditionContext): string {
  const attr = profileAttribute(name);
  if (attr !== name)
    note(
      ctx,
      at,
      `Pinpoint attribute ${show(name)} is read as profile.attributes.${attr} (import profiles with that name)`,
    );
  return `profile.attributes.${attr}`;
}

/** One attribute dimension over a path; Pinpoint compares text, and so does this. */
export function attributeCondition(
  path: string,
  dim: AttributeDimension,
  at: string,
  ctx: ConditionContext,
): Condition {
  const values = dim.Values;
  const type = dim.AttributeType ?? 'INCLUSIVE';
  switch (type) {
    case 'INCLUSIVE':
      return values.length === 1 ? { path, eq: values[0] } : { path, in: values };
    case 'EXCLUSIVE':
      return { not: values.length === 1 ? { path, eq: values[0] } : { path, in: values } };
    case 'CONTAINS':
      return any(values.map((v) => ({ path, contains: v })));
    case 'BEFORE':
    case 'AFTER':
    case 'ON':
    case 'BETWEEN':
      note(
        ctx,
        at,
        `${type} compares the attribute as text: it holds for ISO 8601 times written the same way (in UTC, ending in Z), as Pinpoint's ISO_INSTANT values are`,
      );
      if (type === 'BEFORE') return { path, lt: values[0] };
      if (type === 'AFTER') return { path, gt: values[0] };
      if (type === 'ON') return { path, startsWith: values[0].slice(0, 10) };
      return {
        all: [
          { path, gte: values[0] },
          { path, lte: values[1] },
        ],
      };
    default:
      return assertNever(type);
  }
}

/** One metric dimension over a path. */
export function metricCondition(path: string, m: MetricDimension): Condition {
  switch (m.ComparisonOperator) {
    case 'GREATER_THAN':
      return { path, gt: m.Value };
    case 'LESS_THAN':
      return { path, lt: m.Value };
    case 'GREATER_THAN_OR_EQUAL':
      return { path, gte: m.Value };
    case 'LESS_THAN_OR_EQUAL':
      return { path, lte: m.Value };
    default:
      // EQUAL; anything else was refused when the definition was checked.
      return { path, eq: m.Value };
  }
}

/** The profile field that holds the address of a Pinpoint channel type. */
const CHANNEL_ADDRESS: Record<string, string> = {
  EMAIL: 'profile.email',
  SMS: 'profile.phone',
  VOICE: 'profile.phone',
  PUSH: 'profile.pushEndpoint',
  GCM: 'profile.pushEndpoint',
  APNS: 'profile.pushEndpoint',
  APNS_SANDBOX: 'profile.pushEndpoint',
  APNS_VOIP: 'profile.pushEndpoint',
  APNS_VOIP_SANDBOX: 'profile.pushEndpoint',
  ADM: 'profile.pushEndpoint',
  BAIDU: 'profile.pushEndpoint',
};

function channelCondition(set: SetDimension, at: string, ctx: ConditionContext): Condition {
  const parts: Condition[] = [];
  for (const [i, v] of set.Values.entries()) {
    const field = CHANNEL_ADDRESS[v];
    if (field) parts.push({ path: field, exists: true });
    else {
      todo(
        ctx,
        `${at}/Values/${i}`,
        `channel ${show(v)} has no address in a Baton profile; write the condition by hand (it never holds as written)`,
      );
      parts.push(unmappedCondition(`${at}/Values/${i}`));
    }
  }
  note(
    ctx,
    at,
    'a Pinpoint participant was one endpoint of a channel; a Baton customer has all their channels, so this reads whether the profile has an address for the channel',
  );
  const cond = any(parts);
  return set.DimensionType === 'EXCLUSIVE' ? { not: cond } : cond;
}

/** Conditions on the trigger event's data from an event filter's attributes and metrics; undefined when it has none. */
export function eventDataCondition(d: EventDimensions, at: string, ctx: ConditionContext): Condition | undefined {
  const parts: Condition[] = [];
  for (const [name, dim] of Object.entries(d.Attributes ?? {})) {
    parts.push(
      attributeCondition(
        dataPath(name, `${at}/Attributes${pointer(name)}`, ctx),
        dim,
        `${at}/Attributes${pointer(name)}`,
        ctx,
      ),
    );
  }
  for (const [name, m] of Object.entries(d.Metrics ?? {}))
    parts.push(metricCondition(dataPath(name, `${at}/Metrics${pointer(name)}`, ctx), m));
  return parts.length ? all(parts) : undefined;
}

function dataPath(name: string, at: string, ctx: ConditionContext): string {
  const field = dataField(name);
  if (field !== name)
    note(ctx, at, `event attribute ${show(name)} is read as trigger.data.${field}: send it under that name`);
  return `trigger.data.${field}`;
}
