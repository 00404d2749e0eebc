/**
 * The Table port's contract (ARCHITECTURE.md decision 3): every behaviour the use cases and the
 * engine rely on, run against every adapter — memory, LMDB on disk, and the DynamoDB adapter on
 * dynalite, the DynamoDB reference. A behaviour that holds on a local adapter and not on DynamoDB
 * fails here, as does one where the adapters disagree (the property test at the end).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { type DynaliteClient, dynaliteClient } from '../../lib/store/dynalite-client';
import { DynamoTable } from '../../lib/store/dynamo-table';
import { LmdbTable } from '../../lib/store/lmdb-table';
import { MemoryTable } from '../../lib/store/memory-table';
import { type Cond, type Item, type Table, when } from '../../lib/store/port';

/** A clock the tests move (TTL is read against it). */
const clock = { ms: Date.parse('2026-11-24T00:00:00Z') };
const now = () => clock.ms;

interface Adapter {
  name: string;
  open(): Promise<{ table: Table; close(): Promise<void> }>;
}

const adapters: Adapter[] = [
  {
    name: 'memory',
    open: async () => ({ table: new MemoryTable(now), close: async () => {} }),
  },
  {
    name: 'lmdb',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'baton-lmdb-'));
      const table = new LmdbTable(join(dir, 'baton.lmdb'), now);
      return {
        table,
        close: async () => {
          await table.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'dynamodb (dynalite)',
    open: async () => {
      const store: DynaliteClient = dynaliteClient({});
      const table = new DynamoTable(store.client, 'baton', now);
      await table.ensureExists();
      return { table, close: () => store.close() };
    },
  },
];

describe.each(adapters)('$name', (adapter) => {
  let table: Table;
  let close: () => Promise<void>;
  let n = 0;
  /** A partition no other test uses. */
  const fresh = () => `P#${++n}`;
  beforeAll(async () => {
    ({ table, close } = await adapter.open());
  });
  afterAll(() => close());

  it('reads back what it wrote, values of every kind intact', async () => {
    const pk = fresh();
    const item = {
      pk,
      sk: 'a',
      s: 'text',
      empty: '',
      n: -12.5,
      big: 123456789012345,
      t: true,
      f: false,
      z: null,
      list: [1, 'two', { three: 3 }, [4]],
      map: { nested: { deeper: 'yes' }, emoji: '😀' },
    };
    expect(await table.put(item)).toBe(true);
    expect(await table.get(pk, 'a')).toEqual(item);
    expect(await table.get(pk, 'b')).toBeUndefined();
  });

  it('drops undefined members, as the SDK marshalling does', async () => {
    const pk = fresh();
    await table.put({ pk, sk: 'a', keep: 1, gone: undefined, map: { x: undefined, y: 2 } });
    expect(await table.get(pk, 'a')).toEqual({ pk, sk: 'a', keep: 1, map: { y: 2 } });
  });

  it('hands out copies: changing what was read or written does not change the store', async () => {
    const pk = fresh();
    const item = { pk, sk: 'a', list: [1], map: { x: 1 } };
    await table.put(item);
    item.list.push(2);
    const read = (await table.get(pk, 'a'))!;
    (read.map as { x: number }).x = 99;
    expect(await table.get(pk, 'a')).toEqual({ pk, sk: 'a', list: [1], map: { x: 1 } });
  });

  it('writes ifAbsent once, whoever asks at the same time', async () => {
    const pk = fresh();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => table.put({ pk, sk: 'lock', holder: i }, { ifAbsent: true })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect((await table.get(pk, 'lock'))?.holder).toBe(winner);
  });

  /** Each condition against each item: the truth table DynamoDB gives (checked here against dynalite). */
  const stored: Record<string, unknown> = { n: 5, s: 'm', b: true, z: null, nested: { seq: 3 } };
  const truth: [string, Cond, boolean, boolean][] = [
    // [description, condition, on the stored item, on no item]
    ['item exists', when.itemExists, true, false],
    ['item absent', when.itemAbsent, false, true],
    ['attr exists', when.exists('n'), true, false],
    ['missing attr exists', when.exists('nope'), false, false],
    ['attr absent', when.absent('nope'), true, true],
    ['equals number', when.equals('n', 5), true, false],
    ['equals wrong type', when.equals('n', '5'), false, false],
    ['equals string', when.equals('s', 'm'), true, false],
    ['equals boolean', when.equals('b', true), true, false],
    ['equals null', when.equals('z', null), true, false],
    ['notEquals', when.notEquals('n', 4), true, true],
    ['notEquals same', when.notEquals('n', 5), false, true],
    ['notEquals missing attr', when.notEquals('nope', 1), true, true],
    ['lessThan', when.lessThan('n', 6), true, false],
    ['lessThan equal', when.lessThan('n', 5), false, false],
    ['lessThan other type', when.lessThan('n', 'z'), false, false],
    ['atMost equal', when.atMost('n', 5), true, false],
    ['atMost below', when.atMost('n', 4), false, false],
    ['atLeast', when.atLeast('s', 'a'), true, false],
    ['atLeast string above', when.atLeast('s', 'n'), false, false],
    ['in', when.in('n', [1, 5]), true, false],
    ['in not', when.in('n', [1, 2]), false, false],
    ['nested equals', when.equals('nested.seq', 3), true, false],
    ['nested other', when.equals('nested.seq', 4), false, false],
    ['all', when.all(when.exists('n'), when.equals('s', 'm')), true, false],
    ['any', when.any(when.itemAbsent, when.equals('n', 5)), true, true],
    ['any neither', when.any(when.equals('n', 1), when.equals('s', 'x')), false, false],
    // One rule of several that may apply (entry's limit without a cooldown): DynamoDB refuses
    // "redundant parentheses" around a lone group.
    ['all of one any', when.all(when.any(when.absent('n'), when.lessThan('n', 6))), true, true],
    ['any of one all', when.any(when.all(when.exists('n'))), true, false],
  ];
  it.each(truth)('condition: %s', async (_name, cond, onItem, onNothing) => {
    const pk = fresh();
    await table.put({ pk, sk: 'a', ...stored });
    expect(await table.put({ pk, sk: 'a', ...stored, written: true }, { if: cond })).toBe(onItem);
    expect(Boolean((await table.get(pk, 'a'))?.written)).toBe(onItem);
    expect(await table.delete(pk, 'b', { if: cond })).toBe(onNothing);
  });

  it('updates: set, remove, add; creates the item; returns it as written', async () => {
    const pk = fresh();
    expect(await table.update(pk, 'a', { set: { x: 1, y: 'y' }, add: { count: 2 } })).toEqual({
      pk,
      sk: 'a',
      x: 1,
      y: 'y',
      count: 2,
    });
    expect(await table.update(pk, 'a', { set: { x: undefined }, remove: ['y'], add: { count: 3 } })).toEqual({
      pk,
      sk: 'a',
      count: 5,
    });
    expect(await table.update(pk, 'a', { set: { z: 1 } }, { if: when.equals('count', 4) })).toBeUndefined();
    expect(await table.get(pk, 'a')).toEqual({ pk, sk: 'a', count: 5 });
  });

  it("updates top-level attributes, also those whose names hold dots (the port's contract)", async () => {
    const pk = fresh();
    await table.update(pk, 'a', { set: { 'x.y': 'set' }, add: { 'sent.nudge.email': 2, 'a|b.c|d': 1 } });
    await table.update(pk, 'a', { add: { 'sent.nudge.email': 1 }, remove: ['x.y'] });
    expect(await table.get(pk, 'a')).toEqual({ pk, sk: 'a', 'sent.nudge.email': 3, 'a|b.c|d': 1 });
  });

  it('refuses to add to a value that is not a number', async () => {
    const pk = fresh();
    await table.put({ pk, sk: 'a', count: 'three' });
    await expect(table.update(pk, 'a', { add: { count: 1 } })).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('adds atomically under concurrency', async () => {
    const pk = fresh();
    await Promise.all(Array.from({ length: 300 }, () => table.update(pk, 'counter', { add: { n: 1 } })));
    expect((await table.get(pk, 'counter'))?.n).toBe(300);
  });

  it('compare-and-set under concurrency: every increment lands once', async () => {
    const pk = fresh();
    await table.put({ pk, sk: 'v', v: 0 });
    const bump = async () => {
      for (;;) {
        const current = (await table.get(pk, 'v'))!.v as number;
        if (await table.put({ pk, sk: 'v', v: current + 1 }, { if: when.equals('v', current) })) return;
      }
    };
    await Promise.all(Array.from({ length: 25 }, bump));
    expect((await table.get(pk, 'v'))?.v).toBe(25);
  });

  it('orders sort keys by UTF-8 bytes, as DynamoDB', async () => {
    const pk = fresh();
    // JavaScript's own sort puts the astral 😀 (a surrogate pair) before U+FFFD; UTF-8 puts it after.
    const sks = ['b', 'B', 'a#2', 'a#10', '~', 'é', '\uFFFD', '😀', 'a'];
    for (const sk of sks) await table.put({ pk, sk });
    const expected = ['B', 'a', 'a#10', 'a#2', 'b', '~', 'é', '\uFFFD', '😀'];
    expect((await table.queryAll(pk)).map((i) => i.sk)).toEqual(expected);
    expect((await table.queryAll(pk, { newestFirst: true })).map((i) => i.sk)).toEqual([...expected].reverse());
  });

  it('queries a prefix, or a from/to range, in either direction', async () => {
    const pk = fresh();
    for (const sk of ['A#1', 'T#2026-01-01', 'T#2026-01-02', 'T#2026-01-03', 'T#2026-02-01', 'TT', 'U']) {
      await table.put({ pk, sk });
    }
    const sks = (items: Item[]) => items.map((i) => i.sk);
    expect(sks(await table.queryAll(pk, { prefix: 'T#' }))).toEqual([
      'T#2026-01-01',
      'T#2026-01-02',
      'T#2026-01-03',
      'T#2026-02-01',
    ]);
    expect(sks(await table.queryAll(pk, { prefix: 'T#', newestFirst: true }))[0]).toBe('T#2026-02-01');
    expect(sks(await table.queryAll(pk, { from: 'T#2026-01-02', to: 'T#2026-01-03' }))).toEqual([
      'T#2026-01-02',
      'T#2026-01-03',
    ]);
    expect(sks(await table.queryAll(pk, { from: 'T#2026-01-03', to: 'T#2026-12', newestFirst: true }))).toEqual([
      'T#2026-02-01',
      'T#2026-01-03',
    ]);
    expect(sks(await table.queryAll(pk, { from: 'TT' }))).toEqual(['TT', 'U']);
    expect(sks(await table.queryAll(pk, { to: 'A#1' }))).toEqual(['A#1']);
    expect(sks(await table.queryAll(pk, { prefix: 'X' }))).toEqual([]);
    expect(sks(await table.queryAll(`${pk}-other`))).toEqual([]);
  });

  it('pages: a page cut by the limit has a next key, and pages together are the whole, once each', async () => {
    const pk = fresh();
    const all = Array.from({ length: 23 }, (_, i) => `k#${String(i).padStart(2, '0')}`);
    for (const sk of all) await table.put({ pk, sk });
    for (const newestFirst of [false, true]) {
      const seen: string[] = [];
      let startKey: Record<string, unknown> | undefined;
      let pages = 0;
      do {
        const page = await table.query(pk, { prefix: 'k#', limit: 5, newestFirst, startKey });
        seen.push(...page.items.map((i) => i.sk));
        startKey = page.nextKey;
        pages++;
      } while (startKey);
      expect(seen).toEqual(newestFirst ? [...all].reverse() : all);
      expect(pages).toBe(5);
    }
    // Exactly at the end: DynamoDB still gives a next key, and the next page is empty.
    const cut = await table.query(pk, { prefix: 'k#', limit: 23 });
    expect(cut.nextKey).toEqual({ pk, sk: 'k#22' });
    expect((await table.query(pk, { prefix: 'k#', limit: 23, startKey: cut.nextKey })).items).toEqual([]);
  });

  it('scans partitions by prefix, page by page', async () => {
    const prefix = `${fresh()}#scan#`;
    for (let i = 0; i < 7; i++) for (const sk of ['a', 'b']) await table.put({ pk: `${prefix}${i}`, sk });
    await table.put({ pk: `${prefix.slice(0, -1)}X`, sk: 'a' });
    const found: string[] = [];
    for await (const page of table.scanPrefixPages(prefix)) found.push(...page.map((i) => `${i.pk}/${i.sk}`));
    expect(found.sort()).toEqual(
      Array.from({ length: 7 }, (_, i) => [`${prefix}${i}/a`, `${prefix}${i}/b`])
        .flat()
        .sort(),
    );
  });

  it('scans every item with an empty prefix (and nothing but items)', async () => {
    const pk = fresh();
    await table.put({ pk, sk: 'a', gsi1pk: `${pk}#i`, gsi1sk: '1' });
    const all = await table.scanPrefix('');
    expect(all.every((i) => typeof i.pk === 'string' && typeof i.sk === 'string')).toBe(true);
    expect(all.filter((i) => i.pk === pk)).toEqual([{ pk, sk: 'a', gsi1pk: `${pk}#i`, gsi1sk: '1' }]);
  });

  it('writes a batch of puts and deletes, more than one request holds', async () => {
    const pk = fresh();
    await table.put({ pk, sk: 'gone' });
    await table.write([
      ...Array.from({ length: 60 }, (_, i) => ({ put: { pk, sk: `b#${String(i).padStart(2, '0')}`, i } })),
      { delete: { pk, sk: 'gone' } },
    ]);
    const items = await table.queryAll(pk);
    expect(items).toHaveLength(60);
    expect(items[59]).toEqual({ pk, sk: 'b#59', i: 59 });
    expect(await table.get(pk, 'gone')).toBeUndefined();
  });

  it('keeps a sparse index of the items that set gsi1pk, in gsi1sk order, as they change', async () => {
    const ipk = `${fresh()}#index`;
    const pk = fresh();
    await table.put({ pk, sk: 'b', gsi1pk: ipk, gsi1sk: '2026-02', v: 1 });
    await table.put({ pk, sk: 'a', gsi1pk: ipk, gsi1sk: '2026-01', v: 2 });
    await table.put({ pk, sk: 'c', gsi1pk: `${ipk}-other`, gsi1sk: '2026-00' });
    await table.put({ pk, sk: 'd', v: 'not indexed' });
    const sks = async () => (await table.queryIndexAll(ipk)).map((i) => i.sk);
    expect(await table.queryIndexAll(ipk)).toEqual([
      { pk, sk: 'a', gsi1pk: ipk, gsi1sk: '2026-01', v: 2 },
      { pk, sk: 'b', gsi1pk: ipk, gsi1sk: '2026-02', v: 1 },
    ]);
    await table.update(pk, 'a', { set: { gsi1sk: '2026-03' } });
    expect(await sks()).toEqual(['b', 'a']);
    await table.update(pk, 'b', { set: { gsi1pk: undefined, gsi1sk: undefined } });
    expect(await sks()).toEqual(['a']);
    await table.write([{ put: { pk, sk: 'e', gsi1pk: ipk, gsi1sk: '2026-00' } }, { delete: { pk, sk: 'a' } }]);
    expect(await sks()).toEqual(['e']);
    await table.delete(pk, 'e');
    expect(await table.queryIndexAll(ipk)).toEqual([]);
  });

  it('hides items past their expiry from reads, but a condition still finds them (as DynamoDB TTL)', async () => {
    const pk = fresh();
    const past = Math.floor(clock.ms / 1000) - 1;
    await table.put({ pk, sk: 'old', expiresAt: past });
    await table.put({ pk, sk: 'new', expiresAt: past + 3600 });
    expect(await table.get(pk, 'old')).toBeUndefined();
    expect((await table.queryAll(pk)).map((i) => i.sk)).toEqual(['new']);
    expect(await table.put({ pk, sk: 'old' }, { ifAbsent: true })).toBe(false);
    clock.ms += 3600_000;
    expect(await table.get(pk, 'new')).toBeUndefined();
    clock.ms -= 3600_000;
  });

  describe('limits, with the error name DynamoDB gives', () => {
    const refused = { name: 'ValidationException' };

    it('an item of at most 400 KB', async () => {
      const pk = fresh();
      // pk (2 + 6) + sk (2 + 1) + data (4 + n): exactly 409,600 bytes.
      const n = 409_600 - (2 + pk.length) - 3 - 4;
      expect(await table.put({ pk, sk: 'a', data: 'x'.repeat(n) })).toBe(true);
      await expect(table.put({ pk, sk: 'b', data: 'x'.repeat(n + 1) })).rejects.toMatchObject(refused);
      expect(await table.get(pk, 'b')).toBeUndefined();
    });

    it('keys of at most 2,048 (partition) and 1,024 (sort) bytes, never empty', async () => {
      expect(await table.put({ pk: 'p'.repeat(2048), sk: 's'.repeat(1024) })).toBe(true);
      await expect(table.put({ pk: 'p'.repeat(2049), sk: 'a' })).rejects.toMatchObject(refused);
      await expect(table.put({ pk: 'p', sk: 's'.repeat(1025) })).rejects.toMatchObject(refused);
      await expect(table.get('p'.repeat(2049), 'a')).rejects.toMatchObject(refused);
      await expect(table.put({ pk: '', sk: 'a' })).rejects.toMatchObject(refused);
    });

    it('a partition of the longest key is queried and scanned like any other', async () => {
      const pk = `L#${fresh()}#`.padEnd(2048, 'l');
      for (const sk of ['c', 'a', 'b']) await table.put({ pk, sk });
      expect((await table.queryAll(pk)).map((i) => i.sk)).toEqual(['a', 'b', 'c']);
      expect((await table.query(pk, { newestFirst: true, limit: 1 })).items.map((i) => i.sk)).toEqual(['c']);
      const found: Item[] = [];
      for await (const page of table.scanPrefixPages(pk.slice(0, 12))) found.push(...page);
      expect(found.map((i) => i.sk).sort()).toEqual(['a', 'b', 'c']);
    });

    it('documents nested at most 32 levels', async () => {
      const nest = (depth: number): unknown => (depth === 0 ? 'leaf' : { d: nest(depth - 1) });
      const pk = fresh();
      expect(await table.put({ pk, sk: 'a', doc: nest(31) })).toBe(true);
      await expect(table.put({ pk, sk: 'b', doc: nest(33) })).rejects.toMatchObject(refused);
    });

    it('numbers within DynamoDB range', async () => {
      const pk = fresh();
      expect(await table.put({ pk, sk: 'a', big: 9.99e125, small: 1e-130 })).toBe(true);
      for (const bad of [1e126, -1e126, 1e-131, Number.NaN, Number.POSITIVE_INFINITY])
        await expect(table.put({ pk, sk: 'b', bad })).rejects.toMatchObject(refused);
    });
  });
});

describe.each(adapters.filter((a) => a.name !== 'dynamodb (dynalite)'))('$name, local-only records', (adapter) => {
  it('keeps an engine record over 400 KB and any JSON number, in the same data as the DynamoDB view', async () => {
    const { table, close } = await adapter.open();
    try {
      const local = (table as unknown as { localOnly(): Table }).localOnly();
      const big = { pk: 'X#1', sk: '_', state: 'x'.repeat(600_000), n: 1e200 };
      expect(await local.put(big)).toBe(true);
      await expect(table.put({ ...big, pk: 'X#2' })).rejects.toMatchObject({ name: 'ValidationException' });
      expect(await table.get('X#1', '_')).toEqual(big);
      expect(await local.update('X#1', '_', { add: { n: 1 } })).toMatchObject({ n: 1e200 });
    } finally {
      await close();
    }
  });
});

/**
 * Random sequences of conditional writes and reads give the same answers and leave the same items
 * on every adapter as on dynalite.
 */
describe('adapters agree with dynalite', () => {
  const key = fc.constantFrom('a', 'b', 'c');
  const value = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom('x', 'y'), fc.constant(null));
  const cond: fc.Arbitrary<Cond> = fc.oneof(
    fc.constant(when.itemAbsent),
    fc.constant(when.itemExists),
    fc.constantFrom('v', 'w').chain((attr) =>
      fc.oneof(
        fc.constant(when.absent(attr)),
        value.map((v) => when.equals(attr, v)),
        value.map((v) => when.notEquals(attr, v)),
        fc.integer({ min: -3, max: 3 }).map((v) => when.lessThan(attr, v)),
        fc.integer({ min: -3, max: 3 }).map((v) => when.atLeast(attr, v)),
      ),
    ),
  );
  const op = fc.oneof(
    fc.record({ kind: fc.constant('put' as const), sk: key, v: value, cond: fc.option(cond, { nil: undefined }) }),
    fc.record({
      kind: fc.constant('add' as const),
      sk: key,
      n: fc.integer({ min: -2, max: 2 }),
      cond: fc.option(cond, { nil: undefined }),
    }),
    fc.record({ kind: fc.constant('del' as const), sk: key, cond: fc.option(cond, { nil: undefined }) }),
    // A read by prefix between writes (LMDB answers from its writes not yet committed, and the file).
    fc.record({ kind: fc.constant('query' as const), prefix: fc.constantFrom('a', 'b', 'x', '') }),
  );

  it('for every sequence of operations', async () => {
    const opened = await Promise.all(adapters.map((a) => a.open()));
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 16 }), async (ops) => {
          const pk = `F#${++run}`;
          const outcomes = await Promise.all(
            opened.map(async ({ table }) => {
              const answers: unknown[] = [];
              for (const o of ops) {
                try {
                  if (o.kind === 'put') answers.push(await table.put({ pk, sk: o.sk, v: o.v }, { if: o.cond }));
                  else if (o.kind === 'add')
                    answers.push(await table.update(pk, o.sk, { add: { w: o.n } }, { if: o.cond }));
                  else if (o.kind === 'query') answers.push(await table.queryAll(pk, { prefix: o.prefix }));
                  else answers.push(await table.delete(pk, o.sk, { if: o.cond }));
                } catch (err) {
                  answers.push((err as Error).name);
                }
              }
              return { answers, items: await table.queryAll(pk) };
            }),
          );
          for (const other of outcomes.slice(0, -1)) expect(other).toEqual(outcomes[outcomes.length - 1]);
        }),
        { numRuns: 150 },
      );
    } finally {
      await Promise.all(opened.map((o) => o.close()));
    }
  });
});
