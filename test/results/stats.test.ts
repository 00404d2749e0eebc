/**
 * The interval statistics against the published worked examples: Newcombe RG (1998a), "Two-sided
 * confidence intervals for the single proportion: comparison of seven methods", Stat Med 17:857-872,
 * Table II, method 3 (Wilson score, no continuity correction); and Newcombe RG (1998b), "Interval
 * estimation for the difference between independent proportions: comparison of eleven methods",
 * Stat Med 17:873-890, Table II, method 10 (hybrid score, no continuity correction). Figures to 4
 * decimals, as published.
 */
import fc from 'fast-check';
import { higherAt95, newcombe, rateWithInterval, wilson } from '../../lib/results/stats';

const round4 = ([lo, hi]: [number, number]) => [Number(lo.toFixed(4)), Number(hi.toFixed(4))];

describe("Wilson's score interval", () => {
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0.0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i of %i: [%f, %f] (Newcombe 1998a)', (x, n, lo, hi) => {
    expect(round4(wilson(x, n))).toEqual([lo, hi]);
  });

  it('stays within [0, 1], contains the rate, and narrows as n grows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, f) => {
        const x = Math.round(f * n);
        const [lo, hi] = wilson(x, n);
        expect(lo).toBeGreaterThanOrEqual(0);
        expect(hi).toBeLessThanOrEqual(1);
        expect(lo).toBeLessThanOrEqual(x / n + 1e-12);
        expect(hi).toBeGreaterThanOrEqual(x / n - 1e-12);
        const [lo4, hi4] = wilson(4 * x, 4 * n);
        expect(hi4 - lo4).toBeLessThan(hi - lo + 1e-12);
      }),
    );
  });

  it('of nothing is the whole [0, 1], at rate 0', () => {
    expect(rateWithInterval(0, 0)).toEqual({ rate: 0, ci95: [0, 1] });
  });
});

describe("Newcombe's interval for a difference of rates", () => {
  it.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [5, 56, 0, 29, -0.0381, 0.1926],
    [0, 10, 0, 20, -0.1611, 0.2775],
    [10, 10, 0, 20, 0.6791, 1.0],
  ])('%i/%i against %i/%i: [%f, %f] (Newcombe 1998b)', (x1, n1, x2, n2, lo, hi) => {
    expect(round4(newcombe(x1, n1, x2, n2))).toEqual([lo, hi]);
  });

  it('calls a winner only when the interval lies above 0', () => {
    expect(higherAt95(56, 70, 48, 80)).toBe(true);
    expect(higherAt95(5, 56, 0, 29)).toBe(false);
    expect(higherAt95(48, 80, 56, 70)).toBe(false);
  });
});
