/**
 * The lines of a run in the order `baton simulate` prints them — by `at`, and lines of one instant
 * in the order they were recorded — handed on as soon as they are final, so a run of any length
 * holds only the lines of the instant it is at. A line is recorded at the engine's time (the
 * instant an instance entered, a message went out, an instance ended), and the run's clock only
 * moves forward: once the clock is at T, every line still to come has an `at` of T or later, so
 * the held lines up to T can go, in order.
 */
import type { TimelineEntry } from '../core/timeline';

interface Held {
  line: TimelineEntry;
  at: number;
  /** Recording order, for lines of one instant. */
  seq: number;
}

/** Lines in print order, released as the clock passes them. */
export class LineOrder {
  private held: Held[] = [];
  private seq = 0;
  /** The time of the last line handed on. */
  private lastAt = Number.NEGATIVE_INFINITY;
  /**
   * Lines recorded with a time before lines already handed on (printed after them): none unless
   * a step recorded a line with the time of an earlier attempt, which a run in memory never retries.
   */
  late = 0;

  constructor(private readonly emit: (line: TimelineEntry) => void) {}

  add(line: TimelineEntry): void {
    const at = Date.parse(line.at);
    if (at < this.lastAt) this.late++;
    this.held.push({ line, at, seq: this.seq++ });
  }

  /** Hand on every held line at or before `now`, in order. */
  release(now: number): void {
    if (!this.held.length) return;
    const due = this.held.filter((h) => h.at <= now);
    if (!due.length) return;
    this.held = due.length === this.held.length ? [] : this.held.filter((h) => h.at > now);
    due.sort((a, b) => a.at - b.at || a.seq - b.seq);
    for (const h of due) this.emit(h.line);
    this.lastAt = Math.max(this.lastAt, due[due.length - 1].at);
  }

  /** Hand on the rest: the run is over. */
  end(): void {
    this.release(Number.POSITIVE_INFINITY);
  }
}
