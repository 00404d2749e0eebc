/**
 * How provider errors (SNS, SES) are classified, and how provider calls are retried without ever
 * sending twice (ARCHITECTURE.md decision 4).
 * The SDK's default strategy also repeats requests after a 5xx, a timeout or a reset connection:
 * the provider may have accepted the first one, and neither SNS nor SES takes an idempotency
 * token, so such a repeat could deliver a second message. Only a throttle is a definite "nothing
 * was accepted"; it is the only error retried here.
 */

import { SendRefusedError, SendRejectedError, SendThrottledError } from './errors';

/** Error names with which SNS and SES refuse a request for its rate (SNS SMS, SES v1/v2). */
const THROTTLE_NAMES = new Set(['ThrottlingException', 'Throttling', 'ThrottledException', 'TooManyRequestsException']);

/** Whether an SDK error is a throttle: the request was refused before anything was sent. */
export function isThrottle(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; $metadata?: { httpStatusCode?: number } };
  return (typeof e.name === 'string' && THROTTLE_NAMES.has(e.name)) || e.$metadata?.httpStatusCode === 429;
}

/**
 * Baton's send error for a provider error: a throttle (nothing sent, retry is safe), a permanent
 * refusal of this message (one of `permanent`), another 4xx refusal (nothing sent: the account,
 * not the message), or the error itself (no answer or a 5xx: outcome unknown, never resent). The message names only the error: provider messages may quote the address.
 */
export function toSendError(err: unknown, what: string, permanent: ReadonlySet<string>): unknown {
  const name = (err as Error | undefined)?.name;
  if (isThrottle(err)) return new SendThrottledError(`${what} throttled (${name})`, { cause: err });
  if (name && permanent.has(name)) return new SendRejectedError(`${what} rejected (${name})`, { cause: err });
  // Any other answer in 4xx is a refusal before acceptance: definitely not sent.
  const status = (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 400 && status < 500)
    return new SendRefusedError(`${what} refused (${name})`, { cause: err });
  return err;
}

interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
}

/** The SDK's RetryStrategyV2 shape, declared here to avoid depending on @smithy/types directly. */
export interface ProviderRetryStrategy {
  acquireInitialRetryToken(scope: string): Promise<RetryToken>;
  refreshRetryTokenForRetry(token: RetryToken, info: { error?: unknown }): Promise<RetryToken>;
  recordSuccess(token: RetryToken): void;
}

export interface ProviderRetryOptions {
  /** Attempts in all, the first included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
}

const token = (count: number, delay: number): RetryToken => ({
  getRetryCount: () => count,
  getRetryDelay: () => delay,
});

/** An SDK retry strategy that retries throttles only, with full-jitter exponential backoff. */
export function throttleOnlyRetryStrategy(opts: ProviderRetryOptions = {}): ProviderRetryStrategy {
  const { maxAttempts = 3, baseDelayMs = 250, maxDelayMs = 2_000, random = Math.random } = opts;
  return {
    async acquireInitialRetryToken() {
      return token(0, 0);
    },
    async refreshRetryTokenForRetry(previous, info) {
      const retries = previous.getRetryCount() + 1;
      // Throwing tells the SDK not to retry: it then rethrows the original error.
      if (!isThrottle(info.error) || retries >= maxAttempts) throw new Error('not retried');
      return token(retries, Math.floor(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** retries)));
    },
    recordSuccess() {},
  };
}
