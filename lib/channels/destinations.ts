/**
 * Destinations of actions and hand-offs: systems outside Baton (a call center, a chat platform),
 * reached by webhook or an EventBridge bus, configured per deployment — never in journey files.
 */
import * as z from 'zod';
import { show } from '../journey/schema';
import { describeRef, type HeaderValue, headerValueSchema, isSecretRef, type SecretRef } from './header-values';

/** A call a destination could not take now (network, 408, 429, 5xx): retried with backoff. */
export class ActionFailedError extends Error {
  override readonly name = 'Baton.ActionFailed';
}

/** A call a destination refused (other 4xx, or no such destination): not retried; onError runs. */
export class ActionRejectedError extends Error {
  override readonly name = 'Baton.ActionRejected';
}

export interface Delivery {
  /** Stable per step visit: receivers use it to drop repeats (at-least-once delivery). */
  idempotencyKey: string;
  /** `action.requested` or `handoff.created`. */
  type: string;
  body: Record<string, unknown>;
}

export interface Destination {
  deliver(d: Delivery): Promise<void>;
}

const destinationSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('webhook'),
      url: z.url(),
      // A value is the text itself, or a reference to a secret that only the dispatch function reads.
      headers: z.record(z.string(), headerValueSchema).optional(),
    })
    .strict(),
  z.object({ type: z.literal('eventbridge'), busName: z.string().min(1), source: z.string().optional() }).strict(),
]);
export type DestinationConfig = z.infer<typeof destinationSchema>;

export const destinationsSchema = z
  .object({
    targets: z.record(z.string(), destinationSchema).optional().describe('action targets by name'),
    handoffs: z.record(z.string(), destinationSchema).optional().describe('hand-off destinations by channel'),
  })
  .strict();
export type DestinationsConfig = z.infer<typeof destinationsSchema>;

/** Parse a destinations configuration, naming each bad field. */
export function parseDestinations(
  input: unknown,
): { ok: true; config: DestinationsConfig } | { ok: false; errors: string[] } {
  const r = destinationsSchema.safeParse(input);
  if (r.success) return { ok: true, config: r.data };
  return {
    ok: false,
    errors: r.error.issues.map((i) => `/${i.path.join('/')}: ${i.message}${i.code === 'invalid_type' ? '' : ''}`),
  };
}

/** Where an action target or a hand-off channel goes. */
export interface DestinationRouter {
  action(target: string): Destination;
  handoff(channel: string): Destination;
}

/** Reads the value a secret reference points at (lib/aws/secrets.ts on AWS). */
export type SecretLookup = (ref: SecretRef) => Promise<string>;

/** Where a webhook's secret header values come from; without it, a reference refuses the call. */
export interface WebhookOptions {
  fetch?: typeof fetch;
  secrets?: SecretLookup;
}

/** POST the delivery as JSON with an Idempotency-Key header. */
export function webhookDestination(
  config: Extract<DestinationConfig, { type: 'webhook' }>,
  opts: WebhookOptions = {},
): Destination {
  const fetchImpl = opts.fetch ?? fetch;
  return {
    async deliver(d) {
      const headers = await headerValues(config, opts.secrets);
      let res: Response;
      try {
        res = await fetchImpl(config.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': d.idempotencyKey, ...headers },
          body: JSON.stringify({ id: d.idempotencyKey, type: d.type, ...d.body }),
          signal: AbortSignal.timeout(10_000),
        });
      } catch (err) {
        throw new ActionFailedError(`webhook ${config.url} unreachable`, { cause: err });
      }
      if (res.ok) return;
      if (res.status === 408 || res.status === 429 || res.status >= 500) {
        throw new ActionFailedError(`webhook ${config.url} answered ${res.status}`);
      }
      throw new ActionRejectedError(`webhook ${config.url} refused the call with ${res.status}`);
    },
  };
}

/**
 * The webhook's headers with each reference read. A secret that cannot be read now (throttled,
 * not yet replicated, access denied) fails the call as transient: it is retried with backoff, and
 * the journey's onError runs once the retries are spent.
 */
async function headerValues(
  config: Extract<DestinationConfig, { type: 'webhook' }>,
  secrets: SecretLookup | undefined,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.headers ?? {}) as [string, HeaderValue][]) {
    if (!isSecretRef(value)) {
      out[name] = value;
      continue;
    }
    if (!secrets) {
      throw new ActionRejectedError(
        `webhook ${config.url}: header ${name} is a reference (${describeRef(value)}), which only the AWS deployment reads`,
      );
    }
    try {
      out[name] = await secrets(value);
    } catch (err) {
      throw new ActionFailedError(
        `webhook ${config.url}: header ${name} could not be read from ${describeRef(value)}`,
        {
          cause: err,
        },
      );
    }
  }
  return out;
}

/** A destination that refuses: an action target nobody configured. */
export function unconfigured(what: string): Destination {
  return {
    async deliver() {
      throw new ActionRejectedError(
        `${what} is not configured for this deployment; add it to the destinations configuration (found none named ${show(what)})`,
      );
    },
  };
}
