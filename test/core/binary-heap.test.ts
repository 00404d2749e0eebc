import fc from 'fast-check';
import { BinaryHeap } from '../../lib/core/binary-heap';

it('gives back what was pushed in order, however pushes and pops interleave', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.integer({ min: -50, max: 50 }), fc.constant<'pop'>('pop')), { maxLength: 200 }),
      (ops) => {
        const heap = new BinaryHeap<number>((a, b) => a < b);
        const model: number[] = [];
        for (const op of ops) {
          if (op !== 'pop') {
            heap.push(op);
            model.push(op);
          } else if (model.length) {
            model.sort((a, b) => a - b);
            expect(heap.peek()).toBe(model[0]);
            expect(heap.pop()).toBe(model.shift());
          }
          expect(heap.size).toBe(model.length);
        }
      },
    ),
  );
});
