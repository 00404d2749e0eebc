/**
 * Times by key, earliest first, found in O(log n): the engine's due times (when each pending
 * execution needs it next). A map
 * holds each key's one time; a binary heap orders them, ties by key so the order is deterministic.
 * An entry the map no longer agrees with (a time that moved or was cleared) is dropped when it
 * surfaces, and the heap is rebuilt once such entries outnumber live ones, so it never grows with
 * times that no longer hold.
 */
import { BinaryHeap } from './binary-heap';

export class KeyedSchedule {
  private readonly at = new Map<string, number>();
  private heap = new BinaryHeap<[number, string]>(before);

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
    this.heap.push([at, key]);
    if (this.heap.size > 2 * this.at.size + 1024) this.rebuild();
  }

  /** The earliest time, if any key has one. */
  earliest(): number | undefined {
    this.dropStale();
    return this.heap.peek()?.[0];
  }

  /** The keys whose time is at or before `at`, earliest first (then by key); they stay scheduled. */
  dueBy(at: number): string[] {
    const out = this.popDue(at);
    for (const e of out) this.heap.push(e);
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
    for (this.dropStale(); this.heap.size && this.heap.peek()![0] <= at; this.dropStale()) out.push(this.heap.pop());
    return out;
  }

  private dropStale(): void {
    for (let top = this.heap.peek(); top && this.at.get(top[1]) !== top[0]; top = this.heap.peek()) this.heap.pop();
  }

  private rebuild(): void {
    this.heap = new BinaryHeap(before);
    for (const [key, at] of this.at) this.heap.push([at, key]);
  }
}

function before(a: [number, string], b: [number, string]): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}
