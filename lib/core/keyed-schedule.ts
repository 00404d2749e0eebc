/**
 * Times by key, earliest first, found in O(log n): the engine's due times (when each pending
 * execution needs it next) and the memory store's expiries (when each item with a TTL goes). A map
 * holds each key's one time; a binary heap orders them, ties by key so the order is deterministic.
 * An entry the map no longer agrees with (a time that moved or was cleared) is dropped when it
 * surfaces, and the heap is rebuilt once such entries outnumber live ones, so it never grows with
 * times that no longer hold.
 */
export class KeyedSchedule {
  private readonly at = new Map<string, number>();
  private heap: [number, string][] = [];

  get size(): number {
    return this.at.size;
  }

  /** Set (or clear, with undefined) the time of a key. */
  set(key: string, at: number | undefined): void {
    if (at === undefined) {
      if (this.at.size) this.at.delete(key);
      return;
    }
    if (this.at.get(key) === at) return;
    this.at.set(key, at);
    this.push([at, key]);
    if (this.heap.length > 2 * this.at.size + 1024) this.rebuild();
  }

  /** The earliest time, if any key has one. */
  earliest(): number | undefined {
    this.dropStale();
    return this.heap[0]?.[0];
  }

  /** The keys whose time is at or before `at`, earliest first (then by key); they stay scheduled. */
  dueBy(at: number): string[] {
    const out = this.popDue(at);
    for (const e of out) this.push(e);
    return out.map(([, key]) => key);
  }

  /** The keys whose time is at or before `at`, earliest first (then by key), no longer scheduled. */
  takeDue(at: number): string[] {
    const out = this.popDue(at);
    for (const [, key] of out) this.at.delete(key);
    return out.map(([, key]) => key);
  }

  private popDue(at: number): [number, string][] {
    const out: [number, string][] = [];
    for (this.dropStale(); this.heap.length && this.heap[0][0] <= at; this.dropStale()) out.push(this.pop());
    return out;
  }

  private dropStale(): void {
    while (this.heap.length && this.at.get(this.heap[0][1]) !== this.heap[0][0]) this.pop();
  }

  private rebuild(): void {
    this.heap = [];
    for (const [key, at] of this.at) this.push([at, key]);
  }

  private push(e: [number, string]): void {
    const h = this.heap;
    h.push(e);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): [number, string] {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

function before(a: [number, string], b: [number, string]): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}
