/**
 * The engine's due times: when each pending execution needs the engine next, with the earliest
 * found in O(log n). A map holds each execution's one due time; a binary heap orders them, and an
 * entry the map no longer agrees with is dropped when it surfaces (a due time that moved).
 */

/** Due times by execution ARN, earliest first. */
export class DueSchedule {
  private readonly at = new Map<string, number>();
  private readonly heap: [number, string][] = [];

  get size(): number {
    return this.at.size;
  }

  /** Set (or clear, with undefined) when an execution is next due. */
  set(arn: string, due: number | undefined): void {
    if (due === undefined) {
      this.at.delete(arn);
      return;
    }
    if (this.at.get(arn) === due) return;
    this.at.set(arn, due);
    this.push([due, arn]);
  }

  /** The earliest due time, if any execution is pending. */
  earliest(): number | undefined {
    this.dropStale();
    return this.heap[0]?.[0];
  }

  /** The executions due at or before `now`, earliest first (then by ARN); they stay scheduled. */
  dueBy(now: number): string[] {
    const out: [number, string][] = [];
    for (this.dropStale(); this.heap.length && this.heap[0][0] <= now; this.dropStale()) out.push(this.pop());
    for (const e of out) this.push(e);
    return out.map(([, arn]) => arn);
  }

  private dropStale(): void {
    while (this.heap.length && this.at.get(this.heap[0][1]) !== this.heap[0][0]) this.pop();
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
