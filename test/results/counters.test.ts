/**
 * The counters are exact under concurrency: atomic adds by journey, version, day and shard, read
 * back by one query and a sum (on the memory store and on dynalite, the DynamoDB reference); and
 * end to end, events delivered concurrently and redelivered give each count once.
 */
import fc from 'fast-check';
import type { Envelope } from '../../lib/core/envelope';
import { ingest } from '../../lib/core/ingest';
import { VirtualClock } from '../../lib/engine/clock';
import { startLocalRuntime } from '../../lib/local/runtime';
import { addCounts, type DayRange, readCounts, SHARDS, shardOf } from '../../lib/results/counters';
import { journeyResults } from '../../lib/results/journey-results';
import { type DynaliteClient, dynaliteClient } from '../../lib/store/dynalite-client';
import { DynamoTable } from '../../lib/store/dynamo-table';
import { MemoryTable } from '../../lib/store/memory-table';
import type { Table } from '../../lib/store/port';
import { putProfile } from '../../lib/store/profiles';
import { customer, HOUR, journeyOf } from './run';

const now = () => Date.parse('2026-11-20T00:00:00Z');
const DAYS = ['2026-11-19', '2026-11-20', '2026-11-21'];
const METRICS = ['entered', 'sent.nudge.email', 'split.s.0.entered', 'exited.goal'];

describe.each([
  ['memory', async () => ({ table: new MemoryTable(now) as Table, close: async () => {} })],
  [
    'dynamodb (dynalite)',
    async () => {
      const store: DynaliteClient = dynaliteClient({});
      const table = new DynamoTable(store.client, 'baton', now);
      await table.ensureExists();
      return { table: table as Table, close: () => store.close() };
    },
  ],
] as const)('on %s', (_name, open) => {
  let table: Table;
  let close: () => Promise<void>;
  let run = 0;
  beforeAll(async () => {
    ({ table, close } = await open());
  });
  afterAll(() => close());

  it('sums concurrent adds exactly, by metric and over any range of days', async () => {
    const add = fc.record({
      day: fc.constantFrom(...DAYS),
      seed: fc.string({ minLength: 1, maxLength: 6 }),
      metric: fc.constantFrom(...METRICS),
      n: fc.integer({ min: 1, max: 3 }),
    });
    const range = fc.record({
      from: fc.option(fc.constantFrom(...DAYS), { nil: undefined }),
      to: fc.option(fc.constantFrom(...DAYS), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(add, { maxLength: 60 }), range, async (adds, r: DayRange) => {
        const pk = `R#prop-${++run}#1`;
        await Promise.all(adds.map((a) => addCounts(table, { pk, day: a.day, seed: a.seed }, { [a.metric]: a.n })));
        const inRange = (d: string) => (r.from === undefined || d >= r.from) && (r.to === undefined || d <= r.to);
        const expected: Record<string, number> = {};
        for (const a of adds.filter((a) => inRange(a.day))) expected[a.metric] = (expected[a.metric] ?? 0) + a.n;
        expect(await readCounts(table, pk, r)).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  });
});

it('spreads a day over its shards, the same shard for the same seed', () => {
  const shards = new Set(Array.from({ length: 200 }, (_, i) => shardOf(`i-${i}`)));
  expect([...shards].sort()).toEqual(Array.from({ length: SHARDS }, (_, i) => i));
  expect(shardOf('i-7')).toBe(shardOf('i-7'));
});

const T0 = Date.parse('2026-11-20T10:00:00Z');
const journey = journeyOf({
  id: 'signup',
  trigger: { event: 'trial.started' },
  entry: { concurrent: 'multiple' },
  goal: { event: 'plan.upgraded' },
  settings: { timezone: 'UTC' },
  start: 'hello',
  steps: {
    hello: { type: 'send', channel: 'email', template: 't', purpose: 'transactional', next: 'done' },
    done: { type: 'end' },
  },
});

it('counts each instance, message, exit and conversion once, whatever arrives together or twice', async () => {
  const delivery = fc.record({
    customer: fc.integer({ min: 0, max: 3 }),
    trigger: fc.integer({ min: 0, max: 5 }),
    copies: fc.integer({ min: 1, max: 3 }),
  });
  const goal = fc.record({ customer: fc.integer({ min: 0, max: 3 }), copies: fc.integer({ min: 1, max: 3 }) });
  await fc.assert(
    fc.asyncProperty(
      fc.array(delivery, { minLength: 1, maxLength: 12 }),
      fc.array(goal, { maxLength: 4 }),
      async (triggers, goals) => {
        const clock = new VirtualClock(T0);
        const rt = await startLocalRuntime({ journeys: [journey], clock, concurrency: 4 });
        try {
          for (let c = 0; c < 4; c++) await putProfile(rt.table, customer(`c-${c}`), T0);
          const envelope = (type: string, c: number, id: string): Envelope => ({
            id,
            type,
            customerId: `c-${c}`,
            channel: 'web',
            time: new Date(clock.now()).toISOString(),
          });
          // Every copy of every trigger at once (a trigger id names one instance of its customer).
          await Promise.all(
            triggers.flatMap((t) =>
              Array.from({ length: t.copies }, () =>
                ingest(rt.deps, envelope('trial.started', t.customer, `t-${t.customer}-${t.trigger}`)),
              ),
            ),
          );
          await rt.engine.idle();
          clock.advanceTo(T0 + HOUR);
          await Promise.all(
            goals.flatMap((g, i) =>
              Array.from({ length: g.copies }, () => ingest(rt.deps, envelope('plan.upgraded', g.customer, `g-${i}`))),
            ),
          );
          await rt.engine.idle();
          const instances = new Set(triggers.map((t) => `${t.customer}-${t.trigger}`));
          const converters = new Set(goals.map((g) => g.customer));
          const converted = [...instances].filter((i) => converters.has(Number(i.split('-')[0]))).length;
          const r = await journeyResults(rt.deps, 'signup', 1, {}, journey.journey);
          expect(r).toMatchObject({
            entered: instances.size,
            ignored: {},
            exited: { completed: instances.size },
            converted,
            steps: {
              hello: { visits: instances.size, sent: { email: instances.size } },
              done: { visits: instances.size },
            },
          });
        } finally {
          await rt.close();
        }
      },
    ),
    { numRuns: 20 },
  );
});
