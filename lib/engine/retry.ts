/** Retry and Catch as the Amazon States Language defines them, with AWS's defaults. */
import { createHash } from 'node:crypto';

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  Output?: unknown;
  Assign?: unknown;
}

/**
 * Whether a rule's ErrorEquals matches an error name
 * (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html):
 * - States.Runtime is never retried nor caught, not even when named;
 * - States.DataLimitExceeded is terminal: States.ALL does not catch it (a rule naming it does);
 * - States.ALL matches every other error;
 * - States.TaskFailed matches what a task reports: its own name and the errors a task's code
 *   raises (names outside `States.`), and States.Permissions. The errors Step Functions raises
 *   around the task do not match it: States.Timeout (excluded by the page), and
 *   States.QueryEvaluationError, a JSONata field of the state failing, which is no task failure
 *   (retrying on it would call a task that already ran, or one whose arguments cannot be built).
 */
export function errorMatches(errorEquals: string[], error: string): boolean {
  if (error === 'States.Runtime') return false;
  return errorEquals.some(
    (e) =>
      e === error ||
      (e === 'States.ALL' && error !== 'States.DataLimitExceeded') ||
      (e === 'States.TaskFailed' && (!error.startsWith('States.') || error === 'States.Permissions')),
  );
}

/**
 * The delay before retry number `count` (0-based) of a retrier, in ms. FULL jitter is drawn from
 * a hash of `seed` so the same execution retries at the same times in every run.
 */
export function retryDelayMs(r: Retrier, count: number, seed: string): number {
  const interval = r.IntervalSeconds ?? 1;
  const rate = r.BackoffRate ?? 2;
  let delay = interval * rate ** count;
  if (r.MaxDelaySeconds !== undefined) delay = Math.min(delay, r.MaxDelaySeconds);
  if (r.JitterStrategy === 'FULL') {
    const fraction = createHash('sha256').update(`${seed}#${count}`).digest().readUInt32BE(0) / 0x1_0000_0000;
    delay *= fraction;
  }
  return Math.round(delay * 1000);
}

/** The first retrier that matches and still has attempts left, with its index. */
export function findRetrier(
  retry: Retrier[] | undefined,
  error: string,
  counts: number[],
): { index: number; retrier: Retrier } | undefined {
  for (const [index, retrier] of (retry ?? []).entries()) {
    if (!errorMatches(retrier.ErrorEquals, error)) continue;
    // The first matching retrier decides; when it is spent, the error goes to Catch.
    return (counts[index] ?? 0) < (retrier.MaxAttempts ?? 3) ? { index, retrier } : undefined;
  }
  return undefined;
}

/** The first catcher that matches. */
export function findCatcher(catchers: Catcher[] | undefined, error: string): Catcher | undefined {
  return (catchers ?? []).find((c) => errorMatches(c.ErrorEquals, error));
}
