/** The event envelope (SPEC §1): validated field by field so a rejection names the field and why. */
import { z } from 'zod';
import { EVENT_TYPE_PATTERN, show } from '../journey/schema';
import { pointerOf } from '../journey/validate';

export const MAX_DATA_BYTES = 32 * 1024;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
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
      .max(128)
      .regex(EVENT_TYPE_PATTERN, {
        error: (i) => `type must be lower-case and dot-separated like checkout.abandoned, found ${show(i.input)}`,
      }),
    customerId: id('customerId'),
    channel: z
      .string({
        error: (i) =>
          i.input === undefined ? 'channel is required' : `channel must be a string, found ${show(i.input)}`,
      })
      .regex(/^[a-z][a-z0-9_-]{0,31}$/, {
        error: (i) =>
          `channel must be a lower-case word such as web, app, email, sms, push, phone, chat, store or social, found ${show(i.input)}`,
      }),
    time: z
      .string({
        error: (i) => (i.input === undefined ? 'time is required' : `time must be a string, found ${show(i.input)}`),
      })
      .refine((t) => RFC3339.test(t) && !Number.isNaN(Date.parse(t)), {
        error: (i) => `time must be RFC 3339 with an offset, like 2026-11-20T18:05:00Z, found ${show(i.input)}`,
      }),
    sessionId: id('sessionId').optional(),
    data: z
      .record(z.string(), z.unknown(), { error: (i) => `data must be a JSON object, found ${show(i.input)}` })
      .refine((d) => Buffer.byteLength(JSON.stringify(d)) <= MAX_DATA_BYTES, {
        error: `data must be at most ${MAX_DATA_BYTES} bytes serialized`,
      })
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

/** Validate one envelope; errors carry the JSON pointer of the field. */
export function parseEnvelope(input: unknown): { ok: true; event: Envelope } | { ok: false; errors: FieldError[] } {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, errors: [{ path: '', message: `an event must be a JSON object, found ${show(input)}` }] };
  }
  const r = envelopeSchema.safeParse(input);
  if (r.success) return { ok: true, event: r.data };
  return {
    ok: false,
    errors: fieldErrors(r.error.issues, 'an event has id, type, customerId, channel, time, sessionId and data'),
  };
}

/** The stop words that opt a customer out of SMS (SPEC §1). */
export const STOP_WORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'];

export function isStopWord(text: unknown): boolean {
  return typeof text === 'string' && STOP_WORDS.includes(text.trim().toUpperCase());
}
