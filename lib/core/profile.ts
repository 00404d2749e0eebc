/** The customer profile (SPEC §2): the only place personal data lives. */
import * as z from 'zod';
import { show } from '../journey/schema';
import { pointerOf } from '../journey/validate';
import { type FieldError, fieldErrors, idSchema } from './envelope';
import { CHANNEL_PATTERN } from './id-rule';
import { RESERVED_KEYS, storableErrors } from './storable';
import { isValidTimeZone } from './zoned-time';

/**
 * A profile is one item: 400 KB in DynamoDB, which counts a value at most about twice its JSON size
 * (a list of empty lists: 3 bytes of JSON, 4 of item). 128 KiB of JSON always fits, with room for
 * the attributes a journey's `update` step adds later.
 */
export const MAX_PROFILE_BYTES = 128 * 1024;
/**
 * DynamoDB stores 32 levels, the item being the first: the item holds `profile`, which holds
 * `attributes`, so attributes keep 30 of them (attributes itself being the first).
 */
export const MAX_ATTRIBUTES_DEPTH = 30;

export const CONSENT_VALUES = ['opted_in', 'opted_out'] as const;
export type ConsentStatus = (typeof CONSENT_VALUES)[number];

/**
 * A contact value as an error shows it: its first and last characters and its length, never the
 * whole address or number (errors reach terminals and logs; personal data stays in the store).
 */
export function masked(value: unknown): string {
  if (typeof value !== 'string') return show(value);
  if (value.length <= 4) return `${show('*'.repeat(value.length))} (${value.length} characters)`;
  return `${show(`${value.slice(0, 2)}${'*'.repeat(Math.min(value.length - 4, 12))}${value.slice(-2)}`)} (${value.length} characters)`;
}

export const profileSchema = z
  .object({
    customerId: idSchema('customerId'),
    email: z.email({ error: (i) => `email must be an email address, found ${masked(i.input)}` }).optional(),
    phone: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, { error: (i) => `phone must be E.164 like +15551230000, found ${masked(i.input)}` })
      .optional(),
    pushEndpoint: z
      .string()
      .min(1)
      .max(2048)
      .optional()
      .describe('where push notifications go: an SNS platform endpoint ARN on AWS'),
    timezone: z
      .string()
      .refine(isValidTimeZone, {
        error: (i) => `timezone must be an IANA zone like America/New_York, found ${show(i.input)}`,
      })
      .optional(),
    locale: z.string().optional(),
    preferredChannel: z.enum(['sms', 'email', 'push']).optional(),
    consent: z
      .record(
        z.string(),
        z.enum(CONSENT_VALUES, { error: (i) => `consent must be opted_in or opted_out, found ${show(i.input)}` }),
      )
      .optional(),
    attributes: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type Profile = z.infer<typeof profileSchema>;

/**
 * Validate a profile; errors carry the JSON pointer of the field. Attributes follow the rules of
 * event data (numbers, reserved keys, depth), with limits that let DynamoDB store the profile.
 */
export function parseProfile(input: unknown): { ok: true; profile: Profile } | { ok: false; errors: FieldError[] } {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, errors: [{ path: '', message: `a profile must be a JSON object, found ${show(input)}` }] };
  }
  const r = profileSchema.safeParse(input);
  const problems = rawProblems(input as { consent?: unknown; attributes?: unknown });
  if (r.success && !problems.length) {
    // Every field is now shallow and bounded, so the whole profile can be measured.
    const bytes = Buffer.byteLength(JSON.stringify(r.data));
    if (bytes <= MAX_PROFILE_BYTES) return { ok: true, profile: r.data };
    return {
      ok: false,
      errors: [
        { path: '', message: `a profile must be at most ${MAX_PROFILE_BYTES} bytes serialized, found ${bytes}` },
      ],
    };
  }
  const schemaErrors = r.success
    ? []
    : fieldErrors(r.error.issues, `a profile has ${Object.keys(profileSchema.shape).join(', ')}`).map((e) =>
        withFound(e, input as Record<string, unknown>),
      );
  return { ok: false, errors: [...schemaErrors, ...problems] };
}

/** Fields whose values are contact details: shown masked in an error. */
const CONTACT_FIELDS = new Set(['email', 'phone', 'pushEndpoint']);

/**
 * A field error that says what was found, as every error should (zod's own messages, of a wrong
 * type or value, do not): the value at the field's pointer, masked for a contact detail.
 */
function withFound(error: FieldError, input: Record<string, unknown>): FieldError {
  if (error.message.includes('found ') || error.message.startsWith('unknown field')) return error;
  const steps = error.path.split('/').slice(1);
  if (!steps.length) return error;
  let value: unknown = input;
  for (const step of steps)
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[step] : undefined;
  const shown = CONTACT_FIELDS.has(steps[0]) ? masked(value) : show(value);
  return { ...error, message: `${error.message}; found ${shown}` };
}

/**
 * What the parsed body holds that zod cannot see or would drop silently (a `__proto__` key), and
 * what DynamoDB could not store: checked on the body itself, without recursion.
 */
function rawProblems({ consent, attributes }: { consent?: unknown; attributes?: unknown }): FieldError[] {
  const isObject = (v: unknown): v is object => v !== null && typeof v === 'object' && !Array.isArray(v);
  const channels = isObject(consent)
    ? Object.keys(consent)
        .filter((k) => !CHANNEL_PATTERN.test(k) || RESERVED_KEYS.includes(k))
        .map((k) => ({
          path: pointerOf(['consent', k]),
          message: `consent channels must be lower-case words such as sms, email or push (not ${RESERVED_KEYS.join(' or ')}), found ${show(k)}`,
        }))
    : [];
  const stored = isObject(attributes)
    ? storableErrors(attributes, ['attributes'], {
        what: 'attributes',
        maxDepth: MAX_ATTRIBUTES_DEPTH,
        maxBytes: MAX_PROFILE_BYTES,
      })
    : [];
  return [...channels, ...stored];
}
