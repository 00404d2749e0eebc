/** The customer profile (SPEC §2): the only place personal data lives. */
import * as z from 'zod';
import { show } from '../journey/schema';
import { type FieldError, fieldErrors } from './envelope';
import { isValidTimeZone } from './zoned-time';

export const CONSENT_VALUES = ['opted_in', 'opted_out'] as const;
export type ConsentStatus = (typeof CONSENT_VALUES)[number];

export const profileSchema = z
  .object({
    customerId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@+=-]{0,127}$/, {
      error: (i) => `customerId must be 1-128 characters of letters, digits and ._:@+=-, found ${show(i.input)}`,
    }),
    email: z.email({ error: (i) => `email must be an email address, found ${show(i.input)}` }).optional(),
    phone: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, { error: (i) => `phone must be E.164 like +15551230000, found ${show(i.input)}` })
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

/** Validate a profile; errors carry the JSON pointer of the field. */
export function parseProfile(input: unknown): { ok: true; profile: Profile } | { ok: false; errors: FieldError[] } {
  const r = profileSchema.safeParse(input);
  if (r.success) return { ok: true, profile: r.data };
  return {
    ok: false,
    errors: fieldErrors(r.error.issues, `a profile has ${Object.keys(profileSchema.shape).join(', ')}`),
  };
}
