/**
 * split.optimize (SPEC §7): new entries take the path that converts better than each other
 * continuing path at 95% confidence — never before the version has been live for `after`, never
 * before every path has `minPerPath` entries, never on a difference that could be chance; holdouts
 * keep their share; the choice is an `optimized` line and shows in the results.
 */
import type { TimelineEntry } from '../../lib/core/timeline';
import { winnerOf } from '../../lib/results/optimizer';
import { customer, DAY, event, HOUR, journeyOf, run } from './run';

const T0 = Date.parse('2026-11-20T00:00:00Z');
const SPACING = 30 * 60_000;

function optimizing(optimize: Record<string, unknown>) {
  return journeyOf({
    id: 'opt',
    trigger: { event: 'account.created' },
    goal: { event: 'order.placed', within: 'P7D' },
    settings: { timezone: 'UTC' },
    start: 'split',
    steps: {
      split: {
        type: 'split',
        paths: [
          { weight: 2, next: 'a' },
          { weight: 2, next: 'b' },
          { weight: 1, exit: 'holdout' },
        ],
        optimize,
      },
      a: { type: 'send', channel: 'email', template: 't', purpose: 'transactional', next: 'done' },
      b: { type: 'send', channel: 'sms', template: 't', purpose: 'transactional', next: 'done' },
      done: { type: 'end' },
    },
  });
}

const ids = Array.from({ length: 200 }, (_, i) => `c-${i}`);
const entries = ids.map((c, i) => event('account.created', c, T0 + i * SPACING));
const profiles = ids.map((c) => customer(c));

/** Where each customer went: the step that sent to them, or holdout. */
function paths(lines: TimelineEntry[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of lines) {
    if (l.kind === 'sent' && l.step) out.set(l.customerId, l.step);
    if (l.kind === 'exited' && l.reason === 'holdout') out.set(l.customerId, 'holdout');
  }
  return out;
}

/** The paths instances take by the hash alone: a run in which nobody converts, so nothing wins. */
let byHash: Map<string, string>;
beforeAll(async () => {
  byHash = paths((await run([optimizing({ after: 'PT1H', minPerPath: 1 })], entries, profiles)).lines);
});

/** Buyers by the path the hash gave them: `rule(path, i)`, an hour after entry. */
const purchases = (rule: (path: string | undefined, i: number) => boolean) =>
  ids.flatMap((c, i) => (rule(byHash.get(c), i) ? [event('order.placed', c, T0 + i * SPACING + HOUR)] : []));

it('moves new entries to the winner once it is live long enough, every path has its minimum, and it wins at 95%', async () => {
  const journey = optimizing({ after: 'P2D', minPerPath: 10 });
  const { lines, report } = await run([journey], [...entries, ...purchases((p) => p === 'a')], profiles);
  const optimized = lines.filter((l) => l.kind === 'optimized');
  expect(optimized).toHaveLength(1);
  const at = Date.parse(optimized[0].at);
  // Every path had its 10 entries (and a clear winner) hours before; the choice waited for `after`.
  const early = ids.filter((_, i) => i * SPACING < 2 * DAY - 6 * HOUR);
  for (const p of ['a', 'b', 'holdout'])
    expect(early.filter((c) => byHash.get(c) === p).length).toBeGreaterThanOrEqual(10);
  expect(at).toBeGreaterThanOrEqual(T0 + 2 * DAY);
  expect(at).toBeLessThan(T0 + 2 * DAY + HOUR);
  expect(optimized[0]).toMatchObject({ journey: 'opt', step: 'split', reason: 'path-0' });
  const went = paths(lines);
  const before = ids.filter((_, i) => T0 + i * SPACING < at);
  const after = ids.filter((_, i) => T0 + i * SPACING > at);
  // Before: each instance its own path; after: the winner, holdouts keeping theirs.
  for (const c of before) expect(went.get(c)).toBe(byHash.get(c));
  for (const c of after) expect(went.get(c)).toBe(byHash.get(c) === 'holdout' ? 'holdout' : 'a');
  expect(after.filter((c) => went.get(c) === 'holdout').length).toBeGreaterThan(5);
  const split = report.journeys.opt.splits.split;
  expect(split[0]).toMatchObject({ path: 0, next: 'a', optimized: optimized[0].at });
  expect(split.filter((p) => p.optimized)).toHaveLength(1);
  expect(split.map((p) => p.entered)).toEqual(
    ['a', 'b', 'holdout'].map((p) => [...went.values()].filter((w) => w === p).length),
  );
});

it('never chooses before every path has minPerPath entries', async () => {
  const { lines } = await run(
    [optimizing({ after: 'PT1H', minPerPath: 60 })],
    [...entries, ...purchases((p) => p === 'a')],
    profiles,
  );
  expect(lines.filter((l) => l.kind === 'optimized')).toEqual([]);
  // 200 entries of which a fifth go to the holdout: it never reaches 60.
  expect([...paths(lines).values()].filter((p) => p === 'holdout').length).toBeLessThan(60);
  for (const [c, p] of paths(lines)) expect(p).toBe(byHash.get(c));
});

it('never chooses on a difference that may be chance', async () => {
  // Every second customer buys, whichever path: no path is better.
  const { lines, report } = await run(
    [optimizing({ after: 'PT1H', minPerPath: 20 })],
    [...entries, ...purchases((_, i) => i % 2 === 0)],
    profiles,
  );
  expect(lines.filter((l) => l.kind === 'optimized')).toEqual([]);
  expect(report.journeys.opt.splits.split.every((p) => p.optimized === undefined)).toBe(true);
});

describe('winnerOf', () => {
  const input = (minPerPath: number, holdout = false) => ({
    step: 's',
    paths: [{ weight: 1 }, { weight: 1 }, ...(holdout ? [{ weight: 1, holdout: true }] : [])],
    optimize: { afterSeconds: 0, minPerPath },
  });
  const counts = (...paths: [number, number][]) =>
    Object.fromEntries(
      paths.flatMap(([x, n], i) => [
        [`split.s.${i}.entered`, n],
        [`split.s.${i}.converted`, x],
      ]),
    );

  it('is the path whose difference from each other lies above 0 at 95% (Newcombe 1998b, Table II)', () => {
    // 56/70 against 48/80: [0.0524, 0.3339], above 0.
    expect(winnerOf(counts([48, 80], [56, 70]), input(70))).toBe(1);
    // 5/56 against 0/29: [-0.0381, 0.1926], which holds 0.
    expect(winnerOf(counts([5, 56], [0, 29]), input(29))).toBeUndefined();
  });

  it('waits for the least-entered path, the holdout too, and never picks the holdout', () => {
    expect(winnerOf(counts([48, 80], [56, 70]), input(71))).toBeUndefined();
    expect(winnerOf(counts([48, 80], [56, 70], [0, 10]), input(70, true))).toBeUndefined();
    expect(winnerOf(counts([48, 80], [56, 70], [0, 70]), input(70, true))).toBe(1);
    expect(winnerOf(counts([0, 80], [1, 80], [80, 80]), input(70, true))).toBeUndefined();
  });
});
