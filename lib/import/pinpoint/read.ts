/**
 * Reading what the AWS CLI prints: a file is a journey (`get-journey`, `list-journeys`, or the
 * `WriteJourneyRequest` that `create-journey` takes), a message template (`get-email-template`,
 * `get-sms-template`, `get-push-template`) or a segment (`get-segment`, `get-segments`). Each is
 * checked against the service model; anything that does not fit is a problem with its pointer,
 * and the file is unreadable (the command exits 1).
 */
import * as z from 'zod';
import { assertNever, show } from '../../journey/schema';
import { nearest } from '../../journey/schema-problems';
import { type DefinitionProblem, definitionProblems } from './check';
import { type JourneyDefinition, journeyDefinitionSchema } from './model';
import { pointer } from './report';
import {
  type EmailTemplate,
  emailTemplateSchema,
  type PushTemplate,
  pushTemplateSchema,
  type Segment,
  type SmsTemplate,
  segmentSchema,
  smsTemplateSchema,
} from './resources';

/** A problem that makes a source unreadable. */
export interface SourceProblem {
  file: string;
  pointer: string;
  message: string;
}

interface Located {
  file: string;
  /** Pointer of the object within its file. */
  base: string;
}

export interface SourceJourney extends Located {
  definition: JourneyDefinition;
}

export type SourceTemplate = Located &
  (
    | { channel: 'email'; template: EmailTemplate }
    | { channel: 'sms'; template: SmsTemplate }
    | { channel: 'push'; template: PushTemplate }
  );

export interface SourceSegment extends Located {
  segment: Segment;
}

export interface Sources {
  journeys: SourceJourney[];
  templates: SourceTemplate[];
  segments: SourceSegment[];
  problems: SourceProblem[];
}

/** The wrappers the AWS CLI prints, and what each holds. */
const WRAPPERS = {
  JourneyResponse: 'journey',
  WriteJourneyRequest: 'journey',
  JourneysResponse: 'journeys',
  EmailTemplateResponse: 'email',
  SMSTemplateResponse: 'sms',
  PushNotificationTemplateResponse: 'push',
  SegmentResponse: 'segment',
  SegmentsResponse: 'segments',
} as const;

/** Sort the objects of one parsed file into journeys, templates and segments. */
export function readSource(file: string, doc: unknown): Sources {
  const out: Sources = { journeys: [], templates: [], segments: [], problems: [] };
  if (!isObject(doc)) {
    out.problems.push({
      file,
      pointer: '',
      message: `expected a JSON object as the AWS CLI prints it, found ${show(doc)}`,
    });
    return out;
  }
  const wrapper = Object.keys(doc).find((k): k is keyof typeof WRAPPERS => k in WRAPPERS);
  if (wrapper) {
    const kind = WRAPPERS[wrapper];
    const inner = doc[wrapper];
    const base = pointer(wrapper);
    if (kind === 'journeys' || kind === 'segments') {
      const items = isObject(inner) ? inner.Item : undefined;
      if (!Array.isArray(items)) {
        out.problems.push({
          file,
          pointer: `${base}/Item`,
          message: `expected the list of ${kind} in Item, found ${show(items)}`,
        });
        return out;
      }
      items.forEach((item, i) => {
        add(out, file, `${base}/Item/${i}`, kind === 'journeys' ? 'journey' : 'segment', item);
      });
      return out;
    }
    add(out, file, base, kind, inner);
    return out;
  }
  const bare = bareKind(doc);
  if (bare) add(out, file, '', bare, doc);
  else
    out.problems.push({
      file,
      pointer: '',
      message: `not a Pinpoint journey, template or segment: expected one of ${Object.keys(WRAPPERS).join(', ')} (what aws pinpoint get-journey, get-email-template... print), or a journey object with StartActivity and Activities; found keys ${Object.keys(doc).join(', ') || '(none)'}`,
    });
  return out;
}

type Kind = 'journey' | 'email' | 'sms' | 'push' | 'segment';

function bareKind(doc: Record<string, unknown>): Kind | undefined {
  if ('Activities' in doc || 'StartActivity' in doc || 'StartCondition' in doc) return 'journey';
  if (doc.TemplateType === 'EMAIL') return 'email';
  if (doc.TemplateType === 'SMS') return 'sms';
  if (doc.TemplateType === 'PUSH') return 'push';
  if ('SegmentType' in doc) return 'segment';
  return undefined;
}

const SCHEMAS = {
  journey: journeyDefinitionSchema,
  email: emailTemplateSchema,
  sms: smsTemplateSchema,
  push: pushTemplateSchema,
  segment: segmentSchema,
} as const;

function add(out: Sources, file: string, base: string, kind: Kind, value: unknown): void {
  const schema = SCHEMAS[kind] as z.ZodType;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => issueProblems(file, base, schema, issue, value));
    if (kind === 'journey') problems.push(...looseDefinitionProblems(file, base, value, problems));
    out.problems.push(...problems);
    return;
  }
  switch (kind) {
    case 'journey':
      out.journeys.push({ file, base, definition: parsed.data as JourneyDefinition });
      return;
    case 'email':
      out.templates.push({ file, base, channel: 'email', template: parsed.data as EmailTemplate });
      return;
    case 'sms':
      out.templates.push({ file, base, channel: 'sms', template: parsed.data as SmsTemplate });
      return;
    case 'push':
      out.templates.push({ file, base, channel: 'push', template: parsed.data as PushTemplate });
      return;
    case 'segment':
      out.segments.push({ file, base, segment: parsed.data as Segment });
      return;
    default:
      assertNever(kind);
  }
}

function issueProblems(
  file: string,
  base: string,
  root: z.ZodType,
  issue: z.core.$ZodIssue,
  value: unknown,
): SourceProblem[] {
  const path = issue.path as (string | number)[];
  const at = base + pointer(...path);
  const found = valueAt(value, path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(root, path) ?? [];
      return issue.keys.map((key) => {
        const near = nearest(key, allowed);
        return {
          file,
          pointer: at + pointer(key),
          message: `unknown key ${show(key)}${near ? ` (did you mean ${show(near)}?)` : ''}; allowed here: ${allowed.join(', ')}`,
        };
      });
    }
    case 'invalid_type':
      if (found === undefined)
        return [{ file, pointer: at, message: `required ${show(path[path.length - 1])} is missing` }];
      return [{ file, pointer: at, message: `expected ${article(issue.expected)}, found ${show(found)}` }];
    case 'invalid_value':
      return [
        {
          file,
          pointer: at,
          message: `found ${show(found)}; allowed: ${issue.values.map((v) => String(v)).join(', ')}`,
        },
      ];
    default:
      return [{ file, pointer: at, message: `${issue.message}; found ${show(found)}` }];
  }
}

/**
 * The problems beyond the shape of a definition that failed it, so that every problem is listed at
 * once: checked on the document as it is, skipping what the shape problems already point into.
 */
function looseDefinitionProblems(file: string, base: string, value: unknown, known: SourceProblem[]): SourceProblem[] {
  let found: DefinitionProblem[];
  try {
    found = definitionProblems(value as JourneyDefinition);
  } catch {
    // The shape is too far off to read further; the shape problems say why.
    return [];
  }
  const covered = (at: string) => known.some((k) => at === k.pointer || at.startsWith(`${k.pointer}/`));
  return found.map((p) => ({ file, pointer: base + p.pointer, message: p.message })).filter((p) => !covered(p.pointer));
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** The keys an object of a schema may have at a path, for "allowed here". */
function allowedKeys(root: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let schema = unwrap(root);
  for (const key of path) {
    if (schema instanceof z.ZodObject) {
      const member = (schema.shape as Record<string, z.ZodType>)[String(key)];
      if (!member) return undefined;
      schema = unwrap(member);
    } else if (schema instanceof z.ZodRecord) schema = unwrap(schema.valueType as z.ZodType);
    else if (schema instanceof z.ZodArray) schema = unwrap(schema.element as z.ZodType);
    else return undefined;
  }
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : undefined;
}

function unwrap(schema: z.ZodType): z.ZodType {
  return schema instanceof z.ZodOptional ? unwrap(schema.unwrap() as z.ZodType) : schema;
}

function valueAt(doc: unknown, path: readonly (string | number)[]): unknown {
  let cur = doc;
  for (const k of path) {
    if (!isObject(cur) && !Array.isArray(cur)) return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
