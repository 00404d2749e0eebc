/** What a backtest's store does with records its retention rules name. */
import { type RetentionRule, retaining } from '../../lib/local/backtest-retention';
import { MemoryTable } from '../../lib/store/memory-table';
import { TTL_ATTRIBUTE, when } from '../../lib/store/port';

const NOW = Date.UTC(2026, 10, 2, 10, 20);
const rules: RetentionRule[] = [
  { what: 'gone at once', pkPrefix: 'GONE#', matches: (_sk, a) => a.status === 'closed', keepSeconds: 0 },
  { what: 'kept an hour', pkPrefix: 'HOUR#', matches: () => true, keepSeconds: 3600 },
];

function tables() {
  const inner = new MemoryTable(() => NOW);
  return { inner, table: retaining(inner, rules, () => NOW) };
}

test('a record kept for a while gets the end of the hour its time is up in as its expiry', async () => {
  const { inner, table } = tables();
  await table.put({ pk: 'HOUR#1', sk: '_', n: 1 });
  expect((await inner.get('HOUR#1', '_'))?.[TTL_ATTRIBUTE]).toBe(Date.UTC(2026, 10, 2, 12) / 1000);
  // One that sets its own expiry keeps it.
  const own = NOW / 1000 + 60;
  await table.put({ pk: 'HOUR#2', sk: '_', [TTL_ATTRIBUTE]: own });
  expect((await inner.get('HOUR#2', '_'))?.[TTL_ATTRIBUTE]).toBe(own);
});

test('a record kept for no time is never stored, and each put answers as it would have', async () => {
  const { inner, table } = tables();
  // Its open version is stored as usual; the closing put under a condition that holds removes it.
  await table.put({ pk: 'GONE#1', sk: '_', status: 'open', seq: 1 });
  expect(await inner.get('GONE#1', '_')).toMatchObject({ status: 'open' });
  expect(await table.put({ pk: 'GONE#1', sk: '_', status: 'closed', seq: 2 }, { if: when.equals('seq', 7) })).toBe(
    false,
  );
  expect(await inner.get('GONE#1', '_')).toMatchObject({ status: 'open' });
  expect(await table.put({ pk: 'GONE#1', sk: '_', status: 'closed', seq: 2 }, { if: when.equals('seq', 1) })).toBe(
    true,
  );
  expect(await inner.get('GONE#1', '_')).toBeUndefined();
  // Only if absent: true when nothing is there, false when something is, and nothing written either way.
  expect(await table.put({ pk: 'GONE#2', sk: '_', status: 'closed' }, { ifAbsent: true })).toBe(true);
  expect(await inner.get('GONE#2', '_')).toBeUndefined();
  await inner.put({ pk: 'GONE#3', sk: '_', status: 'open' });
  expect(await table.put({ pk: 'GONE#3', sk: '_', status: 'closed' }, { ifAbsent: true })).toBe(false);
  expect(await inner.get('GONE#3', '_')).toMatchObject({ status: 'open' });
  // In a batch too.
  await table.write([{ put: { pk: 'GONE#3', sk: '_', status: 'closed' } }, { put: { pk: 'HOUR#3', sk: '_' } }]);
  expect(await inner.get('GONE#3', '_')).toBeUndefined();
  expect(await inner.get('HOUR#3', '_')).toBeDefined();
  // Nothing of the records kept for no time is held, not even swept later: HOUR#3 is all there is.
  expect(inner.size).toBe(1);
});
