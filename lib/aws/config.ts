/**
 * The Lambda functions' configuration (CONVENTIONS.md 7): process.env is read once, here, and
 * validated, so a bad deployment fails at cold start with the variable's name instead of deep
 * inside a use case. CDK code never reads this module: it sets these variables.
 */
import { join } from 'node:path';
import * as z from 'zod';
import { type DestinationsConfig, destinationsSchema } from '../channels/destinations';

/** The variables, as the stack sets them on the functions. */
export const ENV = {
  tableName: 'TABLE_NAME',
  stateMachineArns: 'STATE_MACHINE_ARNS',
  journeysDir: 'JOURNEYS_DIR',
  sesFromAddress: 'SES_FROM_ADDRESS',
  smsSenderId: 'SMS_SENDER_ID',
  smsOriginationNumber: 'SMS_ORIGINATION_NUMBER',
  destinations: 'DESTINATIONS',
  /** The bucket audience runs write their member files to (audience function). */
  memberBucket: 'MEMBER_BUCKET',
  /** Where each file segment was deployed: journey id → file → {bucket, key} (audience function). */
  segmentObjects: 'SEGMENT_OBJECTS',
  /** Set by the Parameters and Secrets extension's layer configuration (dispatch, when a header is a secret). */
  secretsExtensionPort: 'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT',
  /** Set by Lambda; the secrets extension answers only requests that carry it. */
  sessionToken: 'AWS_SESSION_TOKEN',
} as const;

export interface AwsConfig {
  tableName: string;
  /** journey id → state machine ARN; given to the functions that start or follow executions. */
  stateMachineArns?: Record<string, string>;
  /** Journeys and their templates/, copied into the bundle at synth time. */
  journeysDir: string;
  sesFromAddress?: string;
  smsSenderId?: string;
  smsOriginationNumber?: string;
  /** Action targets and hand-off destinations (dispatch function). */
  destinations?: DestinationsConfig;
  /** The bucket of audience runs' member files (audience function). */
  memberBucket?: string;
  /** The S3 object each file segment was deployed as, by journey id and file (audience function). */
  segmentObjects?: SegmentObjects;
  /** Where the dispatch function reads secret header values (lib/aws/secrets.ts). */
  secretsExtension?: { port?: number; sessionToken?: string };
}

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;

// CloudFormation cannot unset a variable conditionally, so an empty value means "not set".
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const json = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be JSON' });
    return z.NEVER;
  }
});

const stateMachineArns = json.pipe(
  z.record(
    z.string().min(1),
    z.string().regex(STATE_MACHINE_ARN, { error: (i) => `must be a state machine ARN, found "${i.input}"` }),
    { error: 'must be a JSON object of journey id to state machine ARN' },
  ),
);

const PORT = 'must be a port number from 1 to 65535';

/** Where a file segment of a journey lives on AWS. */
export interface ObjectLocation {
  bucket: string;
  key: string;
}

/** journey id → segment file (as the journey names it) → its S3 object. */
export type SegmentObjects = Record<string, Record<string, ObjectLocation>>;

const segmentObjects = json.pipe(
  z.record(
    z.string().min(1),
    z.record(z.string().min(1), z.object({ bucket: z.string().min(3), key: z.string().min(1) })),
    { error: 'must be a JSON object of journey id to {file: {bucket, key}}' },
  ),
);

const envSchema = z.object({
  [ENV.tableName]: z.string({ error: 'is required' }).min(1, { error: 'is required' }),
  [ENV.stateMachineArns]: optional(stateMachineArns),
  [ENV.journeysDir]: optional(z.string()),
  [ENV.sesFromAddress]: optional(z.email({ error: 'must be an email address' })),
  // SNS sender ids: 1-11 letters and digits, at least one letter.
  [ENV.smsSenderId]: optional(
    z.string().regex(/^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$/, { error: 'must be 1-11 letters and digits' }),
  ),
  [ENV.smsOriginationNumber]: optional(
    z.string().regex(/^\+[1-9]\d{6,14}$/, { error: 'must be an E.164 number like +15551230000' }),
  ),
  [ENV.destinations]: optional(json.pipe(destinationsSchema)),
  // S3 bucket names: 3-63 lower-case letters, digits, dots and hyphens.
  [ENV.memberBucket]: optional(
    z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: (i) => `must be an S3 bucket name, found "${i.input}"` }),
  ),
  [ENV.segmentObjects]: optional(segmentObjects),
  [ENV.secretsExtensionPort]: optional(
    z.coerce.number({ error: PORT }).int({ error: PORT }).min(1, { error: PORT }).max(65535, { error: PORT }),
  ),
  [ENV.sessionToken]: optional(z.string()),
});

/** Thrown when the environment is unusable; the message names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'Baton.ConfigError';
}

/** Parse a Lambda environment; `bundleDir` is where the bundled workflows/ folder sits. */
export function parseConfig(env: NodeJS.ProcessEnv, bundleDir: string = __dirname): AwsConfig {
  const r = envSchema.safeParse(env);
  if (!r.success) {
    const problems = r.error.issues.map((i) => {
      const [variable, ...inside] = i.path.map(String);
      return `${variable}${inside.length ? ` /${inside.join('/')}` : ''} ${i.message}`;
    });
    throw new ConfigError(`invalid Lambda environment: ${problems.join('; ')}`);
  }
  const e = r.data;
  return {
    tableName: e.TABLE_NAME,
    stateMachineArns: e.STATE_MACHINE_ARNS,
    // In the esbuild bundle (CommonJS) __dirname is the folder of index.js, e.g. /var/task.
    journeysDir: e.JOURNEYS_DIR ?? join(bundleDir, 'workflows'),
    sesFromAddress: e.SES_FROM_ADDRESS,
    smsSenderId: e.SMS_SENDER_ID,
    smsOriginationNumber: e.SMS_ORIGINATION_NUMBER,
    destinations: e.DESTINATIONS,
    memberBucket: e.MEMBER_BUCKET,
    segmentObjects: e.SEGMENT_OBJECTS,
    ...(e.AWS_SESSION_TOKEN || e.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT
      ? { secretsExtension: { port: e.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT, sessionToken: e.AWS_SESSION_TOKEN } }
      : {}),
  };
}

let cached: AwsConfig | undefined;

/** The process's configuration, read from process.env on first use. */
export function awsConfig(): AwsConfig {
  cached ??= parseConfig(process.env);
  return cached;
}
