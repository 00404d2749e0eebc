/** The event envelope (SPEC §1): validated field by field so a rejection names the field and why. */
import * as z from 'zod';
import { EVENT_TYPE_PATTERN, show } from '../journey/schema';
import { pointerOf } from '../journey/validate';
import { pathDeeperThan } from './nesting';
import type { ConsentStatus } from './profile';

export const MAX_DATA_BYTES = 32 * 1024;
/** Deeper data cannot be stored (DynamoDB nests 32 levels) and would overflow validators' stacks. */
export const MAX_DATA_DEPTH = 32;
const MAX_TYPE_LENGTH = 128;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/i;

/** RFC 3339 with an offset, on a day the calendar has (Date.parse turns February 30 into March 2). */
function isRfc3339(text: string): boolean {
  const m = RFC3339.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return days !== undefined && day >= 1 && day <= days && !Number.isNaN(Date.parse(text));
}
/** A channel word: the envelope's `channel`, and a consent change's `data.channel`. */
const CHANNEL_WORD = /^[a-z][a-z0-9_-]{0,31}$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,127}$/;

const id = (what: string) =>
  z
    .string({
      error: (i) =>
        i.input === undefined ? `${what} is required` : `${what} must be a string, found ${show(i.input)}`,
    })
    .regex(ID, {
      error: (i) =>
        `${what} must be 1-128 characters of letters, digits and ._:@+=- starting with a letter or digit, found ${show(i.input)}`,
    });

export const envelopeSchema = z
  .object({
    id: id('id'),
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
    customerId: id('customerId'),
    channel: z
      .string({
        error: (i) =>
          i.input === undefined ? 'channel is required' : `channel must be a string, found ${show(i.input)}`,
      })
      .regex(CHANNEL_WORD, {
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
    sessionId: id('sessionId').optional(),
    data: z
      .record(z.string(), z.unknown(), { error: (i) => `data must be a JSON object, found ${show(i.input)}` })
      .optional(),
  })
  .strict();

export type Envelope = z.infer<typeof envelopeSchema>;

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
  const r = envelopeSchema.safeParse(input);
  const { data, time, type } = input as { data?: unknown; time?: unknown; type?: unknown };
  const problems = [
    ...(data && typeof data === 'object' && !Array.isArray(data) ? dataErrors(data) : []),
    ...timeErrors(time, now),
    ...(type === 'consent.updated' ? consentErrors(data) : []),
  ];
  if (r.success && !problems.length) return { ok: true, event: r.data };
  return {
    ok: false,
    errors: [
      ...(r.success
        ? []
        : fieldErrors(r.error.issues, 'an event has id, type, customerId, channel, time, sessionId and data')),
      ...problems,
    ],
  };
}

/** A well-formed time outside the range the engine accepts (a malformed one is the schema's to report). */
function timeErrors(time: unknown, now: EngineNow): FieldError[] {
  if (typeof time !== 'string' || !isRfc3339(time)) return [];
  const at = Date.parse(time);
  const earliest = new Date(EARLIEST_EVENT_TIME).toISOString();
  if (now === 'replay') {
    return at < EARLIEST_EVENT_TIME
      ? [{ path: '/time', message: `time must be ${earliest} or later, found ${show(time)}` }]
      : [];
  }
  if (at >= EARLIEST_EVENT_TIME && at <= now + MAX_AHEAD_MS) return [];
  const latest = new Date(now + MAX_AHEAD_MS).toISOString();
  return [
    {
      path: '/time',
      message: `time must be between ${earliest} and ${latest} (24 hours after the engine clock), found ${show(time)}`,
    },
  ];
}

/** profile.ts's CONSENT_VALUES, typed against it (importing it would make the two modules a cycle). */
const CONSENT_VALUES: readonly ConsentStatus[] = ['opted_in', 'opted_out'];

/** The change a consent.updated event carries (SPEC §1); parseEnvelope rejects one without it. */
export function consentChangeOf(event: Envelope): { channel: string; status: ConsentStatus } | undefined {
  if (event.type !== 'consent.updated') return undefined;
  const { channel, status } = (event.data ?? {}) as { channel?: unknown; status?: unknown };
  return typeof channel === 'string' && CHANNEL_WORD.test(channel) && CONSENT_VALUES.includes(status as ConsentStatus)
    ? { channel, status: status as ConsentStatus }
    : undefined;
}

/** A consent.updated event that does not say which channel and what status: no guess is safe. */
function consentErrors(data: unknown): FieldError[] {
  const { channel, status } = (data && typeof data === 'object' ? data : {}) as { channel?: unknown; status?: unknown };
  const errors: FieldError[] = [];
  if (typeof channel !== 'string' || !CHANNEL_WORD.test(channel)) {
    errors.push({
      path: '/data/channel',
      message: `consent.updated needs data.channel, a lower-case channel word such as sms, email or push, found ${channel === undefined ? 'nothing' : show(channel)}`,
    });
  }
  if (!CONSENT_VALUES.includes(status as ConsentStatus)) {
    errors.push({
      path: '/data/status',
      message: `consent.updated needs data.status, ${CONSENT_VALUES.join(' or ')}, found ${status === undefined ? 'nothing' : show(status)}`,
    });
  }
  return errors;
}

/** Numbers JSON.parse keeps exactly and DynamoDB can store; anything else must travel as a string. */
const MAX_NUMBER = Number.MAX_SAFE_INTEGER;
const MIN_MAGNITUDE = 1e-130;
/** Keys that cannot survive storage: they are an object's prototype and constructor once read back. */
const RESERVED_KEYS = ['__proto__', 'constructor'];

/**
 * What the data holds that Baton cannot keep as sent, checked on the parsed body itself (zod's
 * record drops `__proto__` silently) and without recursion (data may nest thousands deep).
 */
function dataErrors(data: object): FieldError[] {
  const deep = pathDeeperThan(data, MAX_DATA_DEPTH);
  if (deep) {
    const at = `${pointerOf(['data', ...deep.slice(0, 4)])}${deep.length > 4 ? '/...' : ''}`;
    return [{ path: '/data', message: `data must nest at most ${MAX_DATA_DEPTH} levels deep, found deeper at ${at}` }];
  }
  const errors: FieldError[] = [];
  const todo: { value: unknown; path: (string | number)[] }[] = [{ value: data, path: ['data'] }];
  while (todo.length && errors.length < 5) {
    const { value, path } = todo.pop()!;
    if (
      typeof value === 'number' &&
      (Math.abs(value) > MAX_NUMBER || (value !== 0 && Math.abs(value) < MIN_MAGNITUDE))
    ) {
      errors.push({
        path: pointerOf(path),
        message: `data numbers must be between -${MAX_NUMBER} and ${MAX_NUMBER} and not smaller than ${MIN_MAGNITUDE} in magnitude (send others as strings), found ${value}`,
      });
    }
    if (value === null || typeof value !== 'object') continue;
    for (const [k, v] of Array.isArray(value) ? value.entries() : Object.entries(value)) {
      if (typeof k === 'string' && RESERVED_KEYS.includes(k)) {
        errors.push({
          path: pointerOf([...path, k]),
          message: `data keys ${RESERVED_KEYS.join(' and ')} are reserved, found ${show(k)}`,
        });
      } else todo.push({ value: v, path: [...path, k] });
    }
  }
  if (errors.length) return errors;
  const bytes = Buffer.byteLength(JSON.stringify(data));
  return bytes > MAX_DATA_BYTES
    ? [{ path: '/data', message: `data must be at most ${MAX_DATA_BYTES} bytes serialized, found ${bytes}` }]
    : [];
}

/** The stop words that opt a customer out of SMS (SPEC §1). */
export const STOP_WORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'];

export function isStopWord(text: unknown): boolean {
  return typeof text === 'string' && STOP_WORDS.includes(text.trim().toUpperCase());
}
