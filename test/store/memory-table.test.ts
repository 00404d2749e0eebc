import fc from 'fast-check';
import { compareUtf8 } from '../../lib/store/conditions';
import { MemoryTable, SWEEP_AFTER_MS } from '../../lib/store/memory-table';
import { INDEX_PK, INDEX_SK, type Item, when } from '../../lib/store/port';

/** A memory table on a clock the test moves (ms), and its size after a write makes it sweep. */
function fixture() {
  let now = Date.parse('2026-11-02T00:00:00Z');
  const table = new MemoryTable(() => now);
  const seconds = () => now / 1000;
  return {
    table,
    seconds,
    advance: (ms: number) => {
      now += ms;
    },
    /** A write (which sweeps first), then the items the table holds. */
    sizeAfterSweep: async () => {
      await table.put({ pk: 'TICK', sk: '_' });
      return table.size;
    },
  };
}

describe('the memory table sweeps expired items', () => {
  it('sweeps an item SWEEP_AFTER_MS after its expiry, not before', async () => {
    const f = fixture();
    await f.table.put({ pk: 'A', sk: '_', expiresAt: f.seconds() + 60 });
    await f.table.put({ pk: 'B', sk: 'x', expiresAt: f.seconds() + 60 });
    await f.table.put({ pk: 'B', sk: 'y' });
    f.advance(60_000 + SWEEP_AFTER_MS - 1000);
    expect(await f.sizeAfterSweep()).toBe(4);
    f.advance(2000);
    expect(await f.sizeAfterSweep()).toBe(2);
    expect(await f.table.get('B', 'y')).toEqual({ pk: 'B', sk: 'y' });
    expect(await f.table.get('A', '_')).toBeUndefined();
  });

  it('keeps an item rewritten with a later expiry, or with none, until that one is due', async () => {
    const f = fixture();
    const soon = f.seconds() + 60;
    await f.table.put({ pk: 'A', sk: '_', expiresAt: soon });
    await f.table.put({ pk: 'B', sk: '_', expiresAt: soon });
    await f.table.put({ pk: 'C', sk: '_', expiresAt: soon });
    await f.table.update('A', '_', { set: { expiresAt: soon + 7200 } });
    await f.table.put({ pk: 'B', sk: '_', v: 1 });
    await f.table.delete('C', '_');
    await f.table.put({ pk: 'C', sk: '_', expiresAt: soon });
    f.advance(60_000 + SWEEP_AFTER_MS + 1000);
    expect(await f.sizeAfterSweep()).toBe(3);
    expect(await f.table.get('A', '_')).toMatchObject({ expiresAt: soon + 7200 });
    expect(await f.table.get('B', '_')).toEqual({ pk: 'B', sk: '_', v: 1 });
    f.advance(7200_000);
    expect(await f.sizeAfterSweep()).toBe(2);
  });

  it('sweeps each item as soon as its own expiry is due, among rewrites and deletes over hours (model)', async () => {
    const key = fc.constantFrom('A', 'B', 'C', 'D', 'E');
    const op = fc.oneof(
      // Whole minutes make an expiry fall exactly on a sweep's cutoff often; milliseconds anywhere else.
      fc.record({
        put: key,
        expiresIn: fc.option(
          fc.oneof(
            fc.integer({ min: -120, max: 180 }).map((m) => m * 60_000),
            fc.integer({ min: -7_200_000, max: 10_800_000 }),
          ),
          { nil: undefined },
        ),
      }),
      fc.record({ del: key }),
      fc.record({
        advance: fc.oneof(
          fc.integer({ min: 0, max: 90 }).map((m) => m * 60_000),
          fc.integer({ min: 0, max: 5_400_000 }),
        ),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const f = fixture();
        let now = f.seconds() * 1000;
        const model = new Map<string, number | undefined>();
        // What a write does first: sweep what expired SWEEP_AFTER_MS ago or more.
        const sweep = () => {
          for (const [k, at] of model) if (at !== undefined && at <= (now - SWEEP_AFTER_MS) / 1000) model.delete(k);
        };
        for (const o of ops) {
          if ('advance' in o) {
            f.advance(o.advance);
            now += o.advance;
            continue;
          }
          sweep();
          if ('del' in o) {
            await f.table.delete(o.del, '_');
            model.delete(o.del);
            expect(f.table.size).toBe(model.size);
            continue;
          }
          const expiresAt = o.expiresIn === undefined ? undefined : (now + o.expiresIn) / 1000;
          await f.table.put({ pk: o.put, sk: '_', ...(expiresAt === undefined ? {} : { expiresAt }) });
          model.set(o.put, expiresAt);
          expect(f.table.size).toBe(model.size);
        }
        sweep();
        model.set('TICK', undefined);
        expect(await f.sizeAfterSweep()).toBe(model.size);
      }),
      { numRuns: 300 },
    );
  });

  it('removes a swept item from the index', async () => {
    const f = fixture();
    const item: Item = { pk: 'E#1', sk: '_', [INDEX_PK]: 'EP#0', [INDEX_SK]: 'a', expiresAt: f.seconds() };
    await f.table.put(item);
    await f.table.put({ pk: 'E#2', sk: '_', [INDEX_PK]: 'EP#0', [INDEX_SK]: 'b' });
    f.advance(SWEEP_AFTER_MS + 1000);
    await f.sizeAfterSweep();
    expect((await f.table.queryIndexAll('EP#0')).map((i) => i.pk)).toEqual(['E#2']);
    // Put back after the sweep, it is indexed again.
    const { expiresAt: _expired, ...kept } = item;
    await f.table.put(kept);
    expect((await f.table.queryIndexAll('EP#0')).map((i) => i.pk)).toEqual(['E#1', 'E#2']);
  });
});

describe('the memory table lets go of the expiries items no longer have', () => {
  it('drops the listing of an expiry an item was rewritten from, once such entries are many', async () => {
    let now = Date.parse('2026-11-02T00:00:00Z');
    const table = new MemoryTable(() => now);
    const n = 70_000;
    // An event's record as first written (kept two weeks), then as done (kept a day).
    for (let i = 0; i < n; i++) await table.put({ pk: `E#${i}`, sk: '_', expiresAt: now / 1000 + 14 * 86_400 });
    for (let i = 0; i < n; i++) await table.put({ pk: `E#${i}`, sk: '_', expiresAt: now / 1000 + 86_400 });
    expect(table.listedExpiries).toBe(2 * n);
    now += 86_400_000 + SWEEP_AFTER_MS + 1000;
    await table.put({ pk: 'TICK', sk: '_' });
    expect(table.size).toBe(1);
    // Nothing is left listed: the two weeks' entries went with the items they were for.
    expect(table.listedExpiries).toBe(0);
  });
});

describe('the memory table reads a range from its first key on (found by halving)', () => {
  // Sort keys over an alphabet where UTF-16 order and UTF-8 order differ (a surrogate pair, U+E000).
  const sortKey = fc
    .array(fc.constantFrom('A', 'B', '#', 'a', '\u00e9', '\ue000', '\ud83d\ude00'), { minLength: 1, maxLength: 4 })
    .map((parts) => parts.join(''));
  const bound = fc.option(sortKey, { nil: undefined });

  it('returns what a read of every key in order returns, both ways, with every bound and page', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(sortKey, { maxLength: 30 }),
        fc.record({ prefix: bound, from: bound, to: bound, start: bound }),
        fc.boolean(),
        fc.integer({ min: 1, max: 40 }),
        async (sks, r, newestFirst, limit) => {
          const table = new MemoryTable(() => 0);
          for (const sk of sks) await table.put({ pk: 'P', sk, v: sk });
          const page = await table.query('P', {
            ...(r.prefix !== undefined ? { prefix: r.prefix } : {}),
            ...(r.from !== undefined ? { from: r.from } : {}),
            ...(r.to !== undefined ? { to: r.to } : {}),
            ...(r.start !== undefined ? { startKey: { pk: 'P', sk: r.start } } : {}),
            newestFirst,
            limit,
          });
          const ordered = [...sks].sort(compareUtf8);
          if (newestFirst) ordered.reverse();
          const expected = ordered
            .filter(
              (sk) =>
                (r.prefix === undefined || sk.startsWith(r.prefix)) &&
                (r.from === undefined || compareUtf8(sk, r.from) >= 0) &&
                (r.to === undefined || compareUtf8(sk, r.to) <= 0) &&
                (r.start === undefined || (newestFirst ? compareUtf8(sk, r.start) < 0 : compareUtf8(sk, r.start) > 0)),
            )
            .slice(0, limit);
          expect(page.items.map((i) => i.sk)).toEqual(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('the memory table keeps what the local-only view writes as the objects handed over', () => {
  it('reads them back through that view as written, through the other view as copies, and sweeps them by their expiry', async () => {
    const f = fixture();
    const local = f.table.localOnly();
    const execution = { pk: 'X#1', sk: '_', execution: { seq: 1, vars: { n: [1, 2] } }, expiresAt: f.seconds() + 60 };
    await local.put(execution);
    expect(await local.get('X#1', '_')).toBe(execution);
    const copied = await f.table.get('X#1', '_');
    expect(copied).toEqual(execution);
    expect(copied).not.toBe(execution);
    (copied!.execution as { vars: { n: number[] } }).vars.n.push(3);
    expect(execution.execution.vars.n).toEqual([1, 2]);
    // A condition reads the object; an update through the view makes a new one.
    const next = await local.update('X#1', '_', { set: { note: 'x' } }, { if: when.equals('execution.seq', 1) });
    expect(next).toEqual({ ...execution, note: 'x' });
    expect(execution).not.toHaveProperty('note');
    // Written through the other view, it is text again: a read through the local view parses it.
    await f.table.put({ pk: 'X#1', sk: '_', n: 2 });
    expect(await local.get('X#1', '_')).toEqual({ pk: 'X#1', sk: '_', n: 2 });
    await local.put(execution);
    f.advance(60_000 + SWEEP_AFTER_MS);
    expect(await f.sizeAfterSweep()).toBe(1); // the tick alone
  });
});
