/** simulate's progress line: share of the file, events and their rate, at most every 200 ms, cleared at the end. */
import { ProgressLine, progressText } from '../../lib/local/progress';

test('says how much of the file is read, how many events ran and how fast, and where virtual time is', () => {
  expect(
    progressText({
      fraction: 0.4567,
      events: 123_456,
      elapsedMs: 40_000,
      virtualMs: Date.parse('2026-11-18T03:00:00Z'),
    }),
  ).toBe('simulating… 45% of the events file, 123,456 events (3,086/s), virtual time 2026-11-18T03:00:00.000Z');
});

test('rewrites its line at most every 200 ms, and clears it only when it showed one', () => {
  const written: string[] = [];
  let wall = 1_000;
  const line = new ProgressLine(
    (t) => written.push(t),
    () => wall,
  );
  line.clear();
  expect(written).toEqual([]);
  line.show(() => 'a');
  wall += 150;
  line.show(() => 'b');
  wall += 60;
  line.show(() => 'c');
  line.clear();
  expect(written).toEqual(['\ra\x1b[K', '\rc\x1b[K', '\r\x1b[K']);
});
