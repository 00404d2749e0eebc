/**
 * The journey document (SPEC §3) as a zod schema: the single source of truth for the journey
 * types, for schema validation, and for the JSON Schema that editors use (`npm run schema`).
 */
import * as z from 'zod';

/**
 * ISO 8601 duration such as PT1H, P1D or P1Y2M; months count 30 days and years 365. Whole units
 * only: Step Functions waits and times out in whole seconds (a fractional Seconds or
 * TimeoutSeconds is refused when the machine is created).
 */
export const DURATION_PATTERN = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;
export const STEP_ID_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
export const JOURNEY_ID_PATTERN = /^[a-z][a-z0-9-]{1,62}$/;
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
const CLOCK_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;

const duration = z
  .string()
  .regex(DURATION_PATTERN, {
    error: (i) =>
      typeof i.input === 'string' && /\d[.,]\d/.test(i.input)
        ? `a duration counts whole units (Step Functions waits whole seconds), found ${show(i.input)}; write e.g. "PT2S" or "PT1M30S"`
        : `expected an ISO 8601 duration such as "PT1H" or "P2D", found ${show(i.input)}`,
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

/** Channels Baton delivers on. */
export const CHANNELS = ['sms', 'email', 'push'] as const;
export type Channel = (typeof CHANNELS)[number];
/** What a send step may name: a channel, or a rule that picks one per customer. */
export const CHANNEL_CHOICES = [...CHANNELS, 'preferred', 'best'] as const;
export type ChannelChoice = (typeof CHANNEL_CHOICES)[number];

const clock = z.string().regex(CLOCK_PATTERN, { error: (i) => `expected a time of day HH:MM, found ${show(i.input)}` });

const waitStep = z
  .object({
    type: z.literal('wait'),
    for: duration.optional().describe('how long to pause'),
    until: z
      .string()
      .optional()
      .describe(
        'an RFC 3339 time, or a path to one such as trigger.data.appointmentAt; a time already past continues at once',
      ),
    untilLocalTime: clock.optional().describe("HH:MM: the next time the customer's clock shows it"),
    next: stepRef,
  })
  .strict()
  .describe(
    'Pause for a duration, until a time, or until a local time of day (exactly one of for, until, untilLocalTime).',
  );

const sendStep = z
  .object({
    type: z.literal('send'),
    channel: z
      .enum(CHANNEL_CHOICES)
      .describe(
        "sms, email or push; preferred (the profile's preferred channel) or best (the one this customer engages with most)",
      ),
    fallback: z
      .array(z.enum(CHANNELS))
      .optional()
      .describe('channels tried in order when the first is not eligible (no address, no consent, capped)'),
    template: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, {
        error: (i) => `expected a template name like cart-nudge, found ${show(i.input)}`,
      })
      .describe('template name: templates/<template>.<channel>.liquid beside the journey file'),
    purpose: z.enum(['marketing', 'transactional']).optional().describe('marketing (default) or transactional'),
    timing: z
      .union([
        z.literal('now'),
        z.object({ best: z.literal(true), within: duration.describe('the longest the message may be held') }).strict(),
      ])
      .optional()
      .describe('now (default), or {"best": true, "within": "P2D"}: hold until the hour this customer engages most'),
    next: stepRef,
    onSuppressed: stepRef.optional().describe('where to go when no channel is eligible (default: next)'),
  })
  .strict()
  .describe('Send a message on the first eligible channel.');

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

const weight = z.number().positive({ error: (i) => `a weight is a positive number, found ${show(i.input)}` });
const splitStep = z
  .object({
    type: z.literal('split'),
    paths: z
      .array(
        z.union([
          z.object({ weight, next: stepRef }).strict(),
          z.object({ weight, exit: z.literal('holdout') }).strict(),
        ]),
      )
      .min(2, { error: 'a split needs at least two paths' }),
    optimize: z
      .object({
        after: duration.describe('how long the version must have been live before a winner may be chosen'),
        minPerPath: z
          .number()
          .int({ error: (i) => `minPerPath is a whole number of entries, found ${show(i.input)}` })
          .min(1, { error: (i) => `minPerPath is at least 1, found ${show(i.input)}` })
          .describe('the entries every path needs before a winner may be chosen'),
      })
      .strict()
      .optional()
      .describe(
        'send new entries down the path that converts best once it wins at 95% confidence (holdouts keep their share)',
      ),
  })
  .strict()
  .describe('A weighted random path, the same every time for an instance; {"exit": "holdout"} ends it as a holdout.');

const channelWord = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, {
  error: (i) => `expected a lower-case channel word such as phone or chat, found ${show(i.input)}`,
});
const handoffStep = z
  .object({
    type: z.literal('handoff'),
    to: channelWord.describe('the channel taking over, e.g. phone, chat, store'),
    carry: z.array(z.string()).describe('context keys the next channel receives'),
    reason: valueExpr.optional().describe('why, e.g. "\'callback requested\'" or a path'),
    next: stepRef,
  })
  .strict()
  .describe('Hand the customer to another channel with the context it needs.');

const actionStep = z
  .object({
    type: z.literal('action'),
    target: z
      .string()
      .regex(/^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)*$/, {
        error: (i) => `expected a destination name such as call-center.callback, found ${show(i.input)}`,
      })
      .describe('a destination configured for the deployment (webhook or EventBridge bus)'),
    payload: z.record(z.string(), valueExpr).optional().describe('fields sent, each a path or a literal'),
    next: stepRef,
    onError: stepRef.optional().describe('where to go when the call fails for good (default: the journey fails)'),
  })
  .strict()
  .describe('Call a channel system, at least once, with an idempotency key.');

/**
 * Names a profile refuses (PUT /customers/{id}/profile; RESERVED_KEYS of lib/core/storable, which
 * imports this module): an `update` step must not write them either.
 */
const RESERVED_ATTRIBUTES = new Set(['__proto__', 'constructor']);
/** A profile attribute's name, the reserved ones left out (the rule the JSON Schema carries too). */
const ATTRIBUTE_NAME = /^(?!(__proto__|constructor)$)[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/**
 * A record of profile attributes. Its names are checked on the input, before zod builds the
 * record: zod says only "Invalid key in record" of a bad one, and building it drops `__proto__`.
 */
function attributeNames<T extends z.ZodType>(value: T) {
  return z.preprocess(
    (input, ctx) => {
      if (input && typeof input === 'object' && !Array.isArray(input))
        for (const k of Object.keys(input)) {
          if (RESERVED_ATTRIBUTES.has(k))
            ctx.addIssue({
              code: 'custom',
              path: [k],
              message: `attribute names __proto__ and constructor are reserved, found ${show(k)}`,
            });
          else if (!ATTRIBUTE_NAME.test(k))
            ctx.addIssue({
              code: 'custom',
              path: [k],
              message: `expected an attribute name (a letter or _, then up to 63 letters, digits, _ or -), found ${show(k)}`,
            });
        }
      return input;
    },
    z.record(z.string().regex(ATTRIBUTE_NAME), value),
  );
}

const updateStep = z
  .object({
    type: z.literal('update'),
    set: attributeNames(valueExpr).describe('profile attributes to write, each a path or a literal'),
    next: stepRef,
  })
  .strict()
  .describe("Write attributes of the customer's profile.");

const endStep = z
  .object({ type: z.literal('end'), reason: z.string().max(200).optional() })
  .strict()
  .describe('End the instance.');

export const stepSchema = z.discriminatedUnion('type', [
  waitStep,
  sendStep,
  waitForStep,
  branchStep,
  splitStep,
  handoffStep,
  actionStep,
  updateStep,
  endStep,
]);
export const STEP_TYPES = ['wait', 'send', 'waitFor', 'branch', 'split', 'handoff', 'action', 'update', 'end'] as const;

const quietHours = z
  .object({
    start: clock,
    end: clock,
    action: z.enum(['defer', 'skip']).optional().describe('defer (default) holds the message until the window ends'),
  })
  .strict();

const escalationRule = z
  .object({
    id: stepRef.describe('names the rule in the timeline'),
    when: z
      .object({
        sessionElapsed: duration.optional().describe("time since the session's first touchpoint"),
        channelsUsed: z.number().int().min(1).optional().describe('distinct channels in the session'),
        touchpoints: z.number().int().min(1).optional().describe('touchpoints in the session'),
      })
      .strict(),
    goto: stepRef,
  })
  .strict();

/** The most members a run enters per second: one batch of a run is one second of its entries (lib/audience/compile-run.ts). */
export const MAX_RATE_PER_SECOND = 1000;

const audienceSchema = z
  .object({
    segment: z
      .union([
        z
          .object({
            where: conditionSchema.describe(
              'a condition over profile.* (attributes, consent, timezone, locale, preferredChannel)',
            ),
          })
          .strict(),
        z
          .object({
            file: z
              .string()
              .min(1)
              .describe('a file beside the journey file: one customer id, or one JSON object with customerId, a line'),
          })
          .strict(),
      ])
      .describe('who is in the audience: {"where": condition} over the profile, or {"file": "audiences/x.jsonl"}'),
    schedule: z
      .object({
        start: z
          .string()
          .describe(
            'RFC 3339 with an offset (2026-12-03T16:00:00Z), or a wall time without offset (2026-12-01T09:00:00) with localTime',
          ),
        localTime: z
          .boolean()
          .optional()
          .describe('each customer enters when their own clock shows start (profile zone, else settings.timezone)'),
        repeat: duration
          .optional()
          .describe('run again every this long (at least PT1H); without it the journey runs once'),
        end: z
          .string()
          .optional()
          .describe('no run starts at or after this time (RFC 3339; a wall time with localTime)'),
      })
      .strict(),
    ratePerSecond: z
      .number()
      .int()
      .min(1)
      .max(MAX_RATE_PER_SECOND)
      .optional()
      .describe('most entries per second for the whole run; members beyond it enter later, in a stable order'),
  })
  .strict()
  .describe(
    'Start the journey for an audience on a schedule instead of on an event (exactly one of trigger, audience).',
  );

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
      .strict()
      .optional()
      .describe('Start the journey on an event (exactly one of trigger, audience).'),
    audience: audienceSchema.optional(),
    entry: z
      .object({
        concurrent: z
          .enum(['single', 'multiple'])
          .optional()
          .describe('single (default): one active instance per customer; multiple: one per dedupe key'),
        cooldown: duration.optional().describe('least time between two entries of one customer'),
        limit: z.number().int().min(1).optional().describe('most entries per customer, ever'),
      })
      .strict()
      .optional(),
    goal: z
      .object({
        event: eventType,
        match: matchSchema.optional(),
        within: duration
          .optional()
          .describe('an instance converts when the goal event arrives this soon after its entry (default P7D)'),
      })
      .strict()
      .optional()
      .describe('when this event arrives the instance ends with reason goal; within goal.within of entry it converts'),
    exitOn: z
      .array(z.object({ event: eventType, match: matchSchema.optional() }).strict())
      .optional()
      .describe('events that end the instance with reason exit-event'),
    settings: z
      .object({
        timezone: z.string().optional().describe('IANA zone used when the profile has none'),
        quietHours: quietHours.optional(),
        frequencyCap: z
          .object({
            max: z.number().int().min(1),
            per: duration,
            scope: z.enum(['customer', 'journey']).optional(),
            action: z.literal('skip').optional(),
          })
          .strict()
          .optional()
          .describe('most marketing messages per customer in a rolling window'),
        maxDuration: duration
          .optional()
          .describe('an instance still running then ends with reason timeout (at most 1 year)'),
        sessionTimeout: duration
          .optional()
          .describe(
            'a session is live while its touchpoints are at most this far apart and its last one is at most this old (default PT30M, at most P1D, whole seconds)',
          ),
      })
      .strict()
      .optional(),
    context: z
      .record(z.string(), valueExpr)
      .optional()
      .describe('named values computed at entry, readable as context.*'),
    escalation: z
      .array(escalationRule)
      .optional()
      .describe('rules over the customer session that move the instance to goto'),
    start: stepRef,
    steps: z.record(z.string(), stepSchema),
  })
  .strict();

export type Journey = z.infer<typeof journeySchema>;
export type Audience = z.infer<typeof audienceSchema>;
export type Schedule = Audience['schedule'];
export type Segment = Audience['segment'];
export type Step = z.infer<typeof stepSchema>;
export type StepType = Step['type'];
export type StepOf<T extends StepType> = Extract<Step, { type: T }>;
export type ValueExpr = z.infer<typeof valueExpr>;

/** Render a value for an error message, short; never throws. */
export function show(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // Nested deeper than the stack allows (or cyclic): say what it is rather than fail the caller.
    return Array.isArray(value) ? 'an array nested too deep to show' : 'an object nested too deep to show';
  }
  if (text === undefined) return String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Fails the build when a switch over a union forgets a member. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value ${show(value)}`);
}
