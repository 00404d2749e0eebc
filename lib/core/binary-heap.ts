/**
 * A binary min-heap: the least value first, by `before`, in O(log n) per push and pop. Shared by
 * the engine's due times (lib/core/keyed-schedule.ts) and the memory store's expiries.
 */
export class BinaryHeap<T> {
  private readonly items: T[] = [];

  /** `before(a, b)`: whether `a` comes out before `b`. */
  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  /** The least value, left in place. */
  peek(): T | undefined {
    return this.items[0];
  }

  push(value: T): void {
    const h = this.items;
    h.push(value);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  /** Take the least value out (the heap must not be empty). */
  pop(): T {
    const h = this.items;
    const top = h[0];
    const last = h.pop() as T;
    if (h.length) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.before(h[l], h[m])) m = l;
        if (r < h.length && this.before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
