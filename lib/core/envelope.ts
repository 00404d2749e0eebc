/** The event envelope (SPEC §1): validated field by field so a rejection names the field and why. */
import * as z from 'zod';
import { EVENT_TYPE_PATTERN, show } from '../journey/schema';
import { pointerOf } from '../journey/validate';
import { CHANNEL_PATTERN, ID_PATTERN, idProblem } from './id-rule';
import type { ConsentStatus } from './profile';
import { reservedDataErrors } from './reserved-data';
import { storableErrors } from './storable';

export const MAX_DATA_BYTES = 32 * 1024;
/** Deeper data cannot be stored (DynamoDB nests 32 levels) and would overflow validators' stacks. */
export const MAX_DATA_DEPTH = 32;
const MAX_TYPE_LENGTH = 128;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/i;

/** RFC 3339 with an offset, on a day the calendar has (Date.parse turns February 30 into March 2). */
export function isRfc3339(text: string): boolean {
  const m = RFC3339.exec(text);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  return days !== undefined && day >= 1 && day <= days && !Number.isNaN(Date.parse(text));
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** The id rule as a schema: required, a string, and ID_PATTERN. */
export const idSchema = (what: string) =>
  z
    .string({
      error: (i) =>
        i.input === undefined ? `${what} is required` : `${what} must be a string, found ${show(i.input)}`,
    })
    .regex(ID_PATTERN, { error: (i) => idProblem(what, i.input) });

export const envelopeSchema = z
  .object({
    id: idSchema('id'),
    type: z
      .string({
        error: (i) => (i.input === undefined ? 'type is required' : `type must be a string, found ${show(i.input)}`),
      })
      .max(MAX_TYPE_LENGTH, {
        error: (i) =>
          `type must be at most ${MAX_TYPE_LENGTH} characters, found ${String(i.input).length}: ${show(i.input)}`,
      })
      .regex(EVENT_TYPE_PATTERN, {
        error: (i) => `type must be lower-case and dot-separated like checkout.abandoned, found ${show(i.input)}`,
      }),
    customerId: idSchema('customerId'),
    channel: z
      .string({
        error: (i) =>
          i.input === undefined ? 'channel is required' : `channel must be a string, found ${show(i.input)}`,
      })
      .regex(CHANNEL_PATTERN, {
        error: (i) =>
          `channel must be a lower-case word such as web, app, email, sms, push, phone, chat, store or social, found ${show(i.input)}`,
      }),
    time: z
      .string({
        error: (i) => (i.input === undefined ? 'time is required' : `time must be a string, found ${show(i.input)}`),
      })
      .refine(isRfc3339, {
        error: (i) => `time must be RFC 3339 with an offset, like 2026-11-20T18:05:00Z, found ${show(i.input)}`,
      }),
    sessionId: idSchema('sessionId').optional(),
    data: z
      .record(z.string(), z.unknown(), { error: (i) => `data must be a JSON object, found ${show(i.input)}` })
      .optional(),
  })
  .strict();

export type Envelope = z.infer<typeof envelopeSchema>;

const ENVELOPE_FIELDS = new Set(['id', 'type', 'customerId', 'channel', 'time', 'sessionId', 'data']);

/**
 * What `envelopeSchema.safeParse` makes of an envelope it accepts, worked out without it: its
 * rules checked directly and the fields copied in the schema's order. Undefined for anything
 * else (an unknown field, a wrong value, an unusual object), which the schema then reports field
 * by field. Every event is checked, and most are valid: the schema took about a tenth of a
 * backtest's reading of its file. A property test holds the two to the same answers.
 */
export function validEnvelope(input: Record<string, unknown>): Envelope | undefined {
  if (Object.getPrototypeOf(input) !== Object.prototype) return undefined;
  for (const k in input) if (!ENVELOPE_FIELDS.has(k)) return undefined;
  const { id, type, customerId, channel, time } = input;
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) return undefined;
  if (typeof type !== 'string' || type.length > MAX_TYPE_LENGTH || !EVENT_TYPE_PATTERN.test(type)) return undefined;
  if (typeof customerId !== 'string' || !ID_PATTERN.test(customerId)) return undefined;
  if (typeof channel !== 'string' || !CHANNEL_PATTERN.test(channel)) return undefined;
  if (typeof time !== 'string' || !isRfc3339(time)) return undefined;
  const event: Envelope = { id, type, customerId, channel, time };
  if ('sessionId' in input) {
    const sessionId = input.sessionId;
    if (sessionId !== undefined && (typeof sessionId !== 'string' || !ID_PATTERN.test(sessionId))) return undefined;
    event.sessionId = sessionId;
  }
  if ('data' in input) {
    const data = input.data;
    if (data !== undefined && !isPlainRecord(data)) return undefined;
    event.data = data === undefined ? undefined : { ...data };
  }
  return event;
}

/** An object as JSON makes them: no prototype but Object's, no symbol keys, no own `__proto__`. */
function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  return !Object.hasOwn(value, '__proto__') && Object.getOwnPropertySymbols(value).length === 0;
}

export interface FieldError {
  path: string;
  message: string;
}

/** zod issues as field errors with JSON pointers; an unknown field is named, with `allowed` said. */
export function fieldErrors(issues: z.core.$ZodIssue[], allowed: string): FieldError[] {
  return issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ path: pointerOf([...i.path, k]), message: `unknown field ${show(k)}; ${allowed}` }))
      : [{ path: pointerOf(i.path), message: i.message }],
  );
}

/**
 * The engine clock an event is read against (SPEC §1, event time vs engine time): the wall clock of
 * `POST /events` and the AWS ingest, in ms; or `'replay'` for `baton simulate`, which ingests each
 * event when its virtual clock reaches the event's own time, so no event is ever ahead of it there
 * and only the floor applies.
 */
export type EngineNow = number | 'replay';

/** The earliest event time accepted: older ones are placeholders or parsing accidents (year 0001). */
export const EARLIEST_EVENT_TIME = Date.UTC(2000, 0, 1);
/** How far an event time may run ahead of the engine clock: sources' clocks drift, never by a day. */
export const MAX_AHEAD_MS = 24 * 3_600_000;

/** Validate one envelope read at engine time `now`; errors carry the JSON pointer of the field. */
export function parseEnvelope(
  input: unknown,
  now: EngineNow,
): { ok: true; event: Envelope } | { ok: false; errors: FieldError[] } {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, errors: [{ path: '', message: `an event must be a JSON object, found ${show(input)}` }] };
  }
  const valid = validEnvelope(input as Record<string, unknown>);
  const allowed = 'an event has id, type, customerId, channel, time, sessionId and data';
  // An object of a million fields would make as many errors (and hold the server while it did).
  const unknown = valid ? [] : unknownFields(input as Record<string, unknown>);
  if (unknown.length > MAX_FIELD_ERRORS) {
    const named = unknown
      .slice(0, MAX_FIELD_ERRORS)
      .map((k) => ({ path: pointerOf([k]), message: `unknown field ${show(k)}; ${allowed}` }));
    return { ok: false, errors: [...named, moreProblems(unknown.length - MAX_FIELD_ERRORS)] };
  }
  const r = valid ? ({ success: true, data: valid } as const) : envelopeSchema.safeParse(input);
  const { data, time } = input as { data?: unknown; time?: unknown };
  const dataProblems = data && typeof data === 'object' && !Array.isArray(data) ? dataErrors(data) : [];
  const reservedProblems = r.success && !dataProblems.length ? reservedDataErrors(r.data.type, r.data.data) : [];
  const problems = [...dataProblems, ...timeErrors(time, now), ...reservedProblems];
  if (r.success && !problems.length) return { ok: true, event: r.data };
  const errors = [...(r.success ? [] : fieldErrors(r.error.issues, allowed)), ...problems];
  return {
    ok: false,
    errors:
      errors.length > MAX_FIELD_ERRORS
        ? [...errors.slice(0, MAX_FIELD_ERRORS), moreProblems(errors.length - MAX_FIELD_ERRORS)]
        : errors,
  };
}

/** The most problems named for one event; the rest are counted. */
export const MAX_FIELD_ERRORS = 20;

const moreProblems = (n: number): FieldError => ({
  path: '',
  message: `… and ${n.toLocaleString('en-US')} more problems`,
});

/** The fields of an object that no envelope has. */
function unknownFields(input: Record<string, unknown>): string[] {
  return Object.keys(input).filter((k) => !ENVELOPE_FIELDS.has(k));
}

const EARLIEST_ISO = new Date(EARLIEST_EVENT_TIME).toISOString();
/**
 * The end of the times `baton simulate` replays: its lines write times with four-digit years, and
 * a journey runs at most a year after its last event (its waits are bounded by a year).
 */
const LAST_REPLAYED_TIME = Date.UTC(9998, 0, 1);
const LAST_REPLAYED_ISO = new Date(LAST_REPLAYED_TIME).toISOString();

/** A well-formed time outside the range the engine accepts (a malformed one is the schema's to report). */
function timeErrors(time: unknown, now: EngineNow): FieldError[] {
  if (typeof time !== 'string' || !isRfc3339(time)) return [];
  const at = Date.parse(time);
  if (now === 'replay') {
    return at < EARLIEST_EVENT_TIME || at >= LAST_REPLAYED_TIME
      ? [
          {
            path: '/time',
            message: `time must be from ${EARLIEST_ISO} to before ${LAST_REPLAYED_ISO}, found ${show(time)}`,
          },
        ]
      : [];
  }
  if (at >= EARLIEST_EVENT_TIME && at <= now + MAX_AHEAD_MS) return [];
  const latest = new Date(now + MAX_AHEAD_MS).toISOString();
  return [
    {
      path: '/time',
      message: `time must be between ${EARLIEST_ISO} and ${latest} (24 hours after the engine clock), found ${show(time)}`,
    },
  ];
}

/** profile.ts's CONSENT_VALUES, typed against it (importing it would make the two modules a cycle). */
const CONSENT_VALUES: readonly ConsentStatus[] = ['opted_in', 'opted_out'];

/** The change a consent.updated event carries (SPEC §1); parseEnvelope rejects one without it. */
export function consentChangeOf(event: Envelope): { channel: string; status: ConsentStatus } | undefined {
  if (event.type !== 'consent.updated') return undefined;
  const { channel, status } = (event.data ?? {}) as { channel?: unknown; status?: unknown };
  return typeof channel === 'string' &&
    CHANNEL_PATTERN.test(channel) &&
    CONSENT_VALUES.includes(status as ConsentStatus)
    ? { channel, status: status as ConsentStatus }
    : undefined;
}

/** What the data holds that Baton cannot keep as sent (the rules it shares with profile attributes). */
function dataErrors(data: object): FieldError[] {
  return storableErrors(data, ['data'], { what: 'data', maxDepth: MAX_DATA_DEPTH, maxBytes: MAX_DATA_BYTES });
}

/** The stop words that opt a customer out of SMS (SPEC §1). */
export const STOP_WORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'];

export function isStopWord(text: unknown): boolean {
  return typeof text === 'string' && STOP_WORDS.includes(text.trim().toUpperCase());
}
