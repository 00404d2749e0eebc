/**
 * The interval statistics of results (SPEC §7): Wilson's score interval for a conversion rate, and
 * Newcombe's hybrid score interval (his method 10) for the difference of two rates — the uplift
 * of a split path over its holdout, and the test `split.optimize` uses to call a winner. Both keep
 * within [0, 1] (resp. [-1, 1]) and behave at 0 and n successes, where the textbook normal
 * interval does not. Tested against the worked examples of Newcombe (1998a, 1998b).
 */

/** The two-sided 95% normal quantile. */
export const Z95 = 1.959963984540054;

/** A 95% interval. */
export type Interval = [number, number];

/** Wilson's score interval for x successes in n trials (n = 0: the whole [0, 1]). */
export function wilson(x: number, n: number, z = Z95): Interval {
  if (n <= 0) return [0, 1];
  const p = x / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  // At x = 0 and x = n the bound is exactly 0 or 1; rounding must not leave it a hair outside.
  return [x === 0 ? 0 : Math.max(0, center - half), x === n ? 1 : Math.min(1, center + half)];
}

/**
 * Newcombe's interval for p1 − p2 (x1 of n1 against x2 of n2), from the Wilson intervals of each:
 * (d − δ, d + ε) with δ = √((p1 − l1)² + (u2 − p2)²), ε = √((u1 − p1)² + (p2 − l2)²).
 */
export function newcombe(x1: number, n1: number, x2: number, n2: number, z = Z95): Interval {
  if (n1 <= 0 || n2 <= 0) return [-1, 1];
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const [l1, u1] = wilson(x1, n1, z);
  const [l2, u2] = wilson(x2, n2, z);
  const d = p1 - p2;
  const delta = Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2);
  const epsilon = Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2);
  return [Math.max(-1, d - delta), Math.min(1, d + epsilon)];
}

/** A rate and its interval; a rate of nothing is 0. */
export function rateWithInterval(x: number, n: number): { rate: number; ci95: Interval } {
  return { rate: n > 0 ? x / n : 0, ci95: wilson(x, n) };
}

/** Whether rate 1 is higher than rate 2 at 95% confidence: Newcombe's interval lies above 0. */
export function higherAt95(x1: number, n1: number, x2: number, n2: number): boolean {
  return newcombe(x1, n1, x2, n2)[0] > 0;
}
