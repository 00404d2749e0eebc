/**
 * The engine's due times and the memory store's expiries share one schedule: after any sequence
 * of sets, clears, looks and takes it answers as a plain map of key to time would, ties in key
 * order, and its heap stays bounded however often times move.
 */
import fc from 'fast-check';
import { KeyedSchedule } from '../../lib/core/keyed-schedule';

type Op = { set: [string, number | undefined] } | { dueBy: number } | { takeDue: number };

const dueIn = (model: Map<string, number>, at: number) =>
  [...model]
    .filter(([, t]) => t <= at)
    .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
    .map(([k]) => k);

test('answers as a map of key to time would', () => {
  const key = fc.constantFrom('a', 'b', 'c', 'd', 'e');
  const time = fc.integer({ min: 0, max: 20 });
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ set: fc.tuple(key, fc.option(time, { nil: undefined })) }),
    fc.record({ dueBy: time }),
    fc.record({ takeDue: time }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const s = new KeyedSchedule();
      const model = new Map<string, number>();
      for (const o of ops) {
        if ('set' in o) {
          const [k, t] = o.set;
          s.set(k, t);
          if (t === undefined) model.delete(k);
          else model.set(k, t);
        } else if ('dueBy' in o) expect(s.dueBy(o.dueBy)).toEqual(dueIn(model, o.dueBy));
        else {
          const due = dueIn(model, o.takeDue);
          expect(s.takeDue(o.takeDue)).toEqual(due);
          for (const k of due) model.delete(k);
        }
        expect(s.size).toBe(model.size);
        expect(s.earliest()).toBe(model.size ? Math.min(...model.values()) : undefined);
      }
    }),
  );
});

test('keeps its heap bounded when one key moves again and again', () => {
  const s = new KeyedSchedule();
  for (let i = 0; i < 100_000; i++) s.set('moving', i);
  // The heap is private. Read before any look: a look drops the stale entries on top, which would
  // hide a heap that grew (times that only increase all surface first).
  expect((s as unknown as { heap: { size: number } }).heap.size).toBeLessThan(2_000);
  expect(s.earliest()).toBe(99_999);
});
