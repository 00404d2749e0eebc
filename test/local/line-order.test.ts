/** simulate's lines go out as the clock passes them, in the order a sort of the whole run gives. */
import type { TimelineEntry } from '../../lib/core/timeline';
import { LineOrder } from '../../lib/local/line-order';

const at = (m: number) => new Date(Date.UTC(2026, 10, 20, 10, m)).toISOString();
const line = (m: number, instance: string): TimelineEntry => ({
  at: at(m),
  kind: 'sent',
  journey: 'j',
  version: 1,
  customerId: 'c-1',
  instance,
});

test('holds each line until the clock reaches its time, then hands it on by time and, within an instant, by recording', () => {
  const out: string[] = [];
  const order = new LineOrder((l) => out.push(l.instance));
  order.add(line(5, 'five-a'));
  order.add(line(3, 'three'));
  order.add(line(5, 'five-b'));
  order.add(line(9, 'nine'));
  order.release(Date.parse(at(4)));
  expect(out).toEqual(['three']);
  order.release(Date.parse(at(5)));
  expect(out).toEqual(['three', 'five-a', 'five-b']);
  // Recorded later at an instant already handed on: after those, as a sort by (time, recording) puts it.
  order.add(line(5, 'five-c'));
  order.release(Date.parse(at(6)));
  expect(out).toEqual(['three', 'five-a', 'five-b', 'five-c']);
  expect(order.late).toBe(0);
  order.end();
  expect(out.at(-1)).toBe('nine');
});

test('counts a line recorded with a time before one already handed on, and still hands it on', () => {
  const out: string[] = [];
  const order = new LineOrder((l) => out.push(l.instance));
  order.add(line(7, 'seven'));
  order.release(Date.parse(at(7)));
  order.add(line(6, 'six'));
  order.end();
  expect(out).toEqual(['seven', 'six']);
  expect(order.late).toBe(1);
});

test("with the run's clock, hands on a line of the clock's instant as it is recorded, unless an earlier one is held", () => {
  const out: string[] = [];
  let now = Date.parse(at(5));
  const order = new LineOrder(
    (l) => out.push(l.instance),
    () => now,
  );
  order.add(line(5, 'five-a'));
  order.add(line(9, 'nine'));
  order.add(line(5, 'five-b'));
  // Nothing released yet: the lines of the instant went on as they came, the later one is held.
  expect(out).toEqual(['five-a', 'five-b']);
  // A line from before the clock is held, and the instant's lines after it wait behind it.
  order.add(line(4, 'four'));
  order.add(line(5, 'five-c'));
  expect(out).toEqual(['five-a', 'five-b']);
  order.release(now);
  expect(out).toEqual(['five-a', 'five-b', 'four', 'five-c']);
  expect(order.late).toBe(1);
  now = Date.parse(at(9));
  order.add(line(9, 'nine-b'));
  // The held line of 9 was recorded first: the new one waits for the release that hands both on.
  expect(out).toHaveLength(4);
  order.release(now);
  expect(out.slice(4)).toEqual(['nine', 'nine-b']);
  order.add(line(9, 'nine-c'));
  expect(out.at(-1)).toBe('nine-c');
});
