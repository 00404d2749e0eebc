import { HOT_ITEMS, MemoryTable, SWEEP_AFTER_MS } from '../../lib/store/memory-table';
import { INDEX_PK, INDEX_SK, type Item } from '../../lib/store/port';

/** A memory table on a clock the test moves (ms), and its size after a write makes it sweep. */
function fixture(hotItems: number) {
  let now = Date.parse('2026-11-02T00:00:00Z');
  const table = new MemoryTable(() => now, { hotItems });
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

describe.each([
  ['items kept as objects', HOT_ITEMS],
  ['items kept as text', 0],
  ['items gone cold between writes', 1],
])('the memory table sweeps expired items (%s)', (_name, hotItems) => {
  it('sweeps an item SWEEP_AFTER_MS after its expiry, not before', async () => {
    const f = fixture(hotItems);
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
    const f = fixture(hotItems);
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

  it('removes a swept item from the index', async () => {
    const f = fixture(hotItems);
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

describe('the memory table keeps the items written last as objects', () => {
  it('counts writes through the local-only view and the table in one ring', async () => {
    const table = new MemoryTable(Date.now, { hotItems: 2 });
    const view = table.localOnly();
    const a = { pk: 'X#a', sk: '_', n: 1 };
    await view.put(a);
    await table.put({ pk: 'B', sk: '_' });
    // Two writes, two slots: the first is still the object handed over (the view hands it back as is).
    expect(await view.get('X#a', '_')).toBe(a);
    await table.put({ pk: 'C', sk: '_' });
    // A third write reuses its slot: from then on it is kept as text, and a read parses a copy.
    const read = await view.get('X#a', '_');
    expect(read).not.toBe(a);
    expect(read).toEqual(a);
  });
});
