/**
 * Webhook header values: plain text, or a reference to a secret kept in AWS Secrets Manager or in
 * an SSM Parameter Store SecureString. A reference is all that reaches the Lambda environment and
 * the CloudFormation template; the dispatch function reads the value itself (lib/aws/secrets.ts).
 */
import * as z from 'zod';
import type { DestinationsConfig } from './destinations';

/** A secret by Secrets Manager name or ARN; its SecretString is the whole header value (e.g. `Bearer abc`). */
export interface SecretsManagerRef {
  secret: string;
}
/** A SecureString parameter by name (`/baton/cc-token`) or ARN; its value is the whole header value. */
export interface SsmSecureStringRef {
  ssmSecureString: string;
}
export type SecretRef = SecretsManagerRef | SsmSecureStringRef;
export type HeaderValue = string | SecretRef;

// Secrets Manager names: 1-512 of letters, digits and /_+=.@- (an ARN fits the same set plus ':').
const SECRET_ID = /^[A-Za-z0-9/_+=.@:-]{1,2048}$/;
// SSM names: letters, digits, . - _ and / for hierarchies; an ARN adds ':'.
const PARAMETER_NAME = /^[A-Za-z0-9/_.:-]{1,2048}$/;

export const headerValueSchema = z.union(
  [
    z.string(),
    z
      .object({
        secret: z.string().regex(SECRET_ID, {
          error: (i) => `must be a Secrets Manager secret name or ARN, found ${JSON.stringify(i.input)}`,
        }),
      })
      .strict(),
    z
      .object({
        ssmSecureString: z.string().regex(PARAMETER_NAME, {
          error: (i) =>
            `must be an SSM parameter name such as /baton/cc-token, or its ARN, found ${JSON.stringify(i.input)}`,
        }),
      })
      .strict(),
  ],
  {
    error: (i) =>
      `must be the header's text, {"secret": "<Secrets Manager secret name or ARN>"} or ` +
      `{"ssmSecureString": "<SSM parameter name>"}, found ${JSON.stringify(i.input)}`,
  },
);

/** Whether a header value is a reference rather than the value itself. */
export function isSecretRef(value: HeaderValue): value is SecretRef {
  return typeof value === 'object';
}

/** How a reference is named in messages and cache keys: `secret baton/cc-token` or `ssmSecureString /baton/cc-token`. */
export function describeRef(ref: SecretRef): string {
  return 'secret' in ref ? `secret ${ref.secret}` : `ssmSecureString ${ref.ssmSecureString}`;
}

/**
 * Header names whose value is a credential: Authorization and Proxy-Authorization, API keys,
 * tokens, secrets, passwords, cookies and signatures.
 */
const CREDENTIAL_HEADER = /auth|token|secret|key|passw|cookie|credential|signature/i;

/** Whether a header of this name carries a credential (and so must not be given in plain text). */
export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_HEADER.test(name);
}

/** A header given in plain text where a reference is required. */
export interface PlainCredential {
  /** JSON pointer into the destinations configuration, e.g. `/targets/call-center.callback/headers/Authorization`. */
  pointer: string;
  header: string;
}

/** Every credential header given in plain text, in the destinations' `headers`. */
export function plainCredentials(destinations: DestinationsConfig): PlainCredential[] {
  const found: PlainCredential[] = [];
  for (const [group, byName] of Object.entries(destinations)) {
    for (const [name, d] of Object.entries(byName ?? {})) {
      if (d.type !== 'webhook') continue;
      for (const [header, value] of Object.entries(d.headers ?? {})) {
        if (typeof value === 'string' && isCredentialHeader(header)) {
          found.push({ pointer: `/${group}/${escapePointer(name)}/headers/${escapePointer(header)}`, header });
        }
      }
    }
  }
  return found;
}

/** Thrown at synth when a credential header would land in plain text in the template. */
export class PlainTextCredentialError extends Error {
  override readonly name = 'Baton.PlainTextCredential';

  constructor(readonly found: PlainCredential[]) {
    // The value itself is not repeated: it is the secret this error keeps out of the template.
    super(
      found
        .map(
          (f) =>
            `destinations ${f.pointer}: header ${f.header} carries a credential and is given in plain text, which ` +
            'would be stored in the Lambda environment and the CloudFormation template; give a reference instead: ' +
            '{"secret": "<Secrets Manager secret name or ARN>"} or {"ssmSecureString": "<SSM parameter name>"}',
        )
        .join('\n'),
    );
  }
}

function escapePointer(s: string): string {
  return s.replaceAll('~', '~0').replaceAll('/', '~1');
}
