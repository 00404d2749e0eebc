/**
 * The journey document (SPEC §3) as a zod schema: the single source of truth for the journey
 * types, for schema validation, and for the JSON Schema that editors use (`npm run schema`).
 */
import { z } from 'zod';

/** ISO 8601 duration such as PT1H, P1D or P1Y2M; months count 30 days and years 365. */
export const DURATION_PATTERN = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;
export const STEP_ID_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
export const JOURNEY_ID_PATTERN = /^[a-z][a-z0-9-]{1,62}$/;
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
const CLOCK_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;

const duration = z
  .string()
  .regex(DURATION_PATTERN, {
    error: (i) => `expected an ISO 8601 duration such as "PT1H" or "P2D", found ${show(i.input)}`,
  })
  .describe('ISO 8601 duration, e.g. PT30M, PT1H, P2D');
const stepRef = z
  .string()
  .regex(STEP_ID_PATTERN, {
    error: (i) => `expected a step id matching ^[a-z][a-z0-9-]{0,62}$, found ${show(i.input)}`,
  })
  .describe('the id of a step in `steps`');
const eventType = z
  .string()
  .regex(EVENT_TYPE_PATTERN, { error: (i) => `expected a lower-case dot-separated event type, found ${show(i.input)}` })
  .describe('event type, lower-case dot-separated, e.g. checkout.abandoned');
/** A value expression: a path such as `trigger.data.cartId`, a quoted literal `'text'`, a number or a boolean. */
const valueExpr = z
  .union([z.string(), z.number(), z.boolean()])
  .describe("a path such as trigger.data.cartId, a quoted literal such as 'abandoned checkout', a number or a boolean");

const literal = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const comparison = z
  .object({
    path: z.string().describe('the data to test, e.g. trigger.data.value or messages.nudge.status'),
    eq: literal.optional(),
    ne: literal.optional(),
    gt: z.union([z.number(), z.string()]).optional(),
    gte: z.union([z.number(), z.string()]).optional(),
    lt: z.union([z.number(), z.string()]).optional(),
    lte: z.union([z.number(), z.string()]).optional(),
    in: z.array(literal).optional(),
    exists: z.boolean().optional(),
    contains: literal.optional(),
    startsWith: z.string().optional(),
  })
  .strict();

export const OPERATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'exists', 'contains', 'startsWith'] as const;
export type Operator = (typeof OPERATORS)[number];
export type Comparison = z.infer<typeof comparison>;
export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | Comparison;

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(conditionSchema) }).strict(),
    z.object({ any: z.array(conditionSchema) }).strict(),
    z.object({ not: conditionSchema }).strict(),
    comparison,
  ]),
);

const matchSchema = z
  .record(z.string(), valueExpr)
  .describe('event data fields that must equal these values, e.g. {"cartId": "trigger.data.cartId"}');

export const CHANNELS = ['sms', 'email'] as const;
export type Channel = (typeof CHANNELS)[number];

const waitStep = z
  .object({
    type: z.literal('wait'),
    for: duration.describe('how long to pause'),
    next: stepRef,
  })
  .strict()
  .describe('Pause for a duration.');

const sendStep = z
  .object({
    type: z.literal('send'),
    channel: z.enum(CHANNELS).describe('the channel to send on'),
    template: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, {
        error: (i) => `expected a template name like cart-nudge, found ${show(i.input)}`,
      })
      .describe('template name: templates/<template>.<channel>.liquid beside the journey file'),
    purpose: z.enum(['marketing', 'transactional']).optional().describe('marketing (default) or transactional'),
    next: stepRef,
    onSuppressed: stepRef.optional().describe('where to go when no channel is eligible (default: next)'),
  })
  .strict()
  .describe('Send a message.');

const waitForStep = z
  .object({
    type: z.literal('waitFor'),
    event: eventType,
    match: matchSchema.optional(),
    timeout: duration.describe('how long to wait before onTimeout'),
    next: stepRef.describe('where to go when the event arrives'),
    onTimeout: stepRef.describe('where to go when the timeout passes first'),
  })
  .strict()
  .describe('Pause until an event of this customer arrives, or the timeout.');

const branchStep = z
  .object({
    type: z.literal('branch'),
    cases: z
      .array(z.object({ if: conditionSchema, next: stepRef }).strict())
      .min(1, { error: 'a branch needs at least one case' }),
    default: stepRef,
  })
  .strict()
  .describe('Go to the first case whose condition holds, else default.');

const endStep = z
  .object({ type: z.literal('end'), reason: z.string().max(200).optional() })
  .strict()
  .describe('End the instance.');

export const stepSchema = z.discriminatedUnion('type', [waitStep, sendStep, waitForStep, branchStep, endStep]);
export const STEP_TYPES = ['wait', 'send', 'waitFor', 'branch', 'end'] as const;

const quietHours = z
  .object({
    start: z.string().regex(CLOCK_PATTERN, { error: (i) => `expected HH:MM, found ${show(i.input)}` }),
    end: z.string().regex(CLOCK_PATTERN, { error: (i) => `expected HH:MM, found ${show(i.input)}` }),
    action: z.enum(['defer', 'skip']).optional().describe('defer (default) holds the message until the window ends'),
  })
  .strict();

export const journeySchema = z
  .object({
    $schema: z.string().optional(),
    id: z.string().regex(JOURNEY_ID_PATTERN, {
      error: (i) => `expected a journey id matching ^[a-z][a-z0-9-]{1,62}$, found ${show(i.input)}`,
    }),
    name: z.string().min(1).max(200),
    version: z.number().int().min(1),
    description: z.string().optional(),
    trigger: z
      .object({
        event: eventType,
        where: conditionSchema.optional().describe('the trigger event must satisfy this to start an instance'),
        dedupeBy: z.array(z.string()).min(1).optional().describe('instance identity; default ["trigger.id"]'),
      })
      .strict(),
    goal: z
      .object({ event: eventType, match: matchSchema.optional() })
      .strict()
      .optional()
      .describe('when this event arrives the instance ends with reason goal'),
    settings: z
      .object({
        timezone: z.string().optional().describe('IANA zone used when the profile has none'),
        quietHours: quietHours.optional(),
      })
      .strict()
      .optional(),
    context: z
      .record(z.string(), valueExpr)
      .optional()
      .describe('named values computed at entry, readable as context.*'),
    start: stepRef,
    steps: z.record(z.string(), stepSchema),
  })
  .strict();

export type Journey = z.infer<typeof journeySchema>;
export type Step = z.infer<typeof stepSchema>;
export type StepType = Step['type'];
export type StepOf<T extends StepType> = Extract<Step, { type: T }>;
export type ValueExpr = z.infer<typeof valueExpr>;

/** Render a value for an error message, short. */
export function show(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Fails the build when a switch over a union forgets a member. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value ${show(value)}`);
}
