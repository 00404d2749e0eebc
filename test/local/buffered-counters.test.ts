import fc from 'fast-check';
import { BufferedCounters } from '../../lib/local/buffered-counters';
import { simulate } from '../../lib/local/simulate';
import { isResultsPartition } from '../../lib/results/counters';
import { CountingTable } from '../../lib/store/counting-table';
import { MemoryTable } from '../../lib/store/memory-table';
import type { Table } from '../../lib/store/port';
import { audienceDoc, loadAudience } from '../audience/fixtures';

/** What a use case may do to a results partition (and one other), as an operation on a table. */
type Op =
  | { kind: 'add'; pk: string; sk: string; by: Record<string, number> }
  | { kind: 'get'; pk: string; sk: string }
  | { kind: 'query'; pk: string }
  | { kind: 'put'; pk: string; sk: string; n: number }
  | { kind: 'setIf'; pk: string; sk: string; n: number }
  | { kind: 'delete'; pk: string; sk: string }
  | { kind: 'scan' };

const pks = fc.constantFrom('R#j#1', 'RC', 'C#c-1');
const sks = fc.constantFrom('2026-12-01#entered#0', '2026-12-01#sent#1', 'OPT#split');
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      pk: pks,
      sk: sks,
      by: fc.dictionary(fc.constantFrom('n', 'sent', 'engaged'), fc.integer({ min: -3, max: 5 }), { minKeys: 1 }),
    }),
  },
  fc.record({ kind: fc.constant('get' as const), pk: pks, sk: sks }),
  fc.record({ kind: fc.constant('query' as const), pk: pks }),
  fc.record({ kind: fc.constant('put' as const), pk: pks, sk: sks, n: fc.integer({ min: 0, max: 9 }) }),
  fc.record({ kind: fc.constant('setIf' as const), pk: pks, sk: sks, n: fc.integer({ min: 0, max: 9 }) }),
  fc.record({ kind: fc.constant('delete' as const), pk: pks, sk: sks }),
  fc.record({ kind: fc.constant('scan' as const) }),
);

function apply(t: Table, o: Op): Promise<unknown> {
  switch (o.kind) {
    case 'add':
      return t.update(o.pk, o.sk, { add: o.by });
    case 'get':
      return t.get(o.pk, o.sk);
    case 'query':
      return t.query(o.pk).then((p) => p.items);
    case 'put':
      return t.put({ pk: o.pk, sk: o.sk, n: o.n });
    case 'setIf':
      return t.update(o.pk, o.sk, { set: { n: o.n } }, { if: { attr: 'n', lessThan: 5 } });
    case 'delete':
      return t.delete(o.pk, o.sk);
    case 'scan':
      return t.scanPrefix('R');
  }
}

const tables = () => {
  const plain = new MemoryTable(() => 0);
  const buffered = new BufferedCounters(new MemoryTable(() => 0));
  return { plain, buffered };
};

describe('results counters held in memory (baton simulate)', () => {
  it('answers every request as the store alone does, one request at a time', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const { plain, buffered } = tables();
        for (const o of ops) expect(await apply(buffered, o)).toEqual(await apply(plain, o));
        await buffered.flush();
        expect(await buffered.scanPrefix('')).toEqual(await plain.scanPrefix(''));
      }),
      { numRuns: 300 },
    );
  });

  it('ends with the same counters when requests overlap (issued in groups, awaited together)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(op, { minLength: 1, maxLength: 6 }), { maxLength: 10 }), async (groups) => {
        const { plain, buffered } = tables();
        for (const group of groups) {
          await Promise.all(group.map((o) => apply(plain, o)));
          await Promise.all(group.map((o) => apply(buffered, o)));
        }
        expect(await buffered.scanPrefix('')).toEqual(await plain.scanPrefix(''));
      }),
      { numRuns: 300 },
    );
  });

  it('writes a run of adds to one counter as few writes, while the usage above counts every add', async () => {
    const store = new MemoryTable(() => 0);
    const buffered = new BufferedCounters(store);
    const counted = new CountingTable(buffered);
    for (let i = 0; i < 1000; i++) await counted.update('R#j#1', '2026-12-01#sent#0', { add: { n: 1 } });
    expect(counted.usage.writes).toBe(1000);
    // The first add is written (its answer is what later ones build on); the rest wait for a reader.
    expect(store.usage.writes).toBe(1);
    expect(await counted.get('R#j#1', '2026-12-01#sent#0')).toEqual({ pk: 'R#j#1', sk: '2026-12-01#sent#0', n: 1000 });
    expect(store.usage.writes).toBe(2);
  });

  it('answers an add with the counter as it stands, a fresh object each time', async () => {
    const buffered = new BufferedCounters(new MemoryTable(() => 0));
    const first = await buffered.update('RC', 'k', { add: { sent: 2 } });
    const second = await buffered.update('RC', 'k', { add: { sent: 3, engaged: 1 } });
    expect(second).toEqual({ pk: 'RC', sk: 'k', sent: 5, engaged: 1 });
    second!.sent = 99;
    expect(await buffered.update('RC', 'k', { add: { sent: 1 } })).toEqual({ pk: 'RC', sk: 'k', sent: 6, engaged: 1 });
    expect(first).toEqual({ pk: 'RC', sk: 'k', sent: 2 });
  });
});

describe('baton simulate', () => {
  /** An audience of `members` sent one message each; the adds to results counters that reached the store. */
  async function audienceRun(members: number) {
    const update = jest.spyOn(MemoryTable.prototype, 'update');
    try {
      const result = await simulate({
        journeys: [loadAudience(audienceDoc())],
        events: [],
        profiles: Array.from({ length: members }, (_, i) => ({
          customerId: `c-${i}`,
          email: `c-${i}@example.com`,
          consent: { email: 'opted_in' as const },
          attributes: { plan: 'pro' },
        })),
      });
      const adds = update.mock.calls.filter(([pk]) => isResultsPartition(pk)).length;
      return { adds, sent: result.lines.filter((l) => l.kind === 'sent').length, store: result.usage.store };
    } finally {
      update.mockRestore();
    }
  }

  it('sums the counters of a run in memory: each counter is written once, however many members add to it', async () => {
    const small = await audienceRun(20);
    const large = await audienceRun(200);
    expect([small.sent, large.sent]).toEqual([20, 200]);
    // A few counters (entered, visits, sent, exited; by day and shard), written at the end.
    expect(large.adds).toBeGreaterThan(0);
    expect(large.adds).toBe(small.adds);
    // The usage still counts every add, as DynamoDB would bill them.
    expect(large.store.writes - small.store.writes).toBeGreaterThan(180 * 20);
  });
});
