/**
 * The lines of a run in the order `baton simulate` prints them — by `at`, and lines of one instant
 * in the order they were recorded — handed on as soon as they are final, so a run of any length
 * holds only the lines of the instant it is at. A line is recorded at the engine's time (the
 * instant an instance entered, a message went out, an instance ended), and the run's clock only
 * moves forward: once the clock is at T, every line still to come has an `at` of T or later, so
 * the held lines up to T can go, in order.
 *
 * A line of the clock's own instant with nothing held at or before it is final the moment it is
 * recorded (nothing still to come can sort before it), so it goes on at once: an audience run's
 * hundred thousand lines of one instant are written as they come, not held to its end.
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
  /** The earliest time of a held line (infinity when none is held). */
  private earliestHeld = Number.POSITIVE_INFINITY;

  /** `now`: the run's clock, when lines of its instant may go on as they are recorded. */
  constructor(
    private readonly emit: (line: TimelineEntry) => void,
    private readonly now?: () => number,
  ) {}

  add(line: TimelineEntry): void {
    const at = Date.parse(line.at);
    if (at < this.lastAt) this.late++;
    if (this.now !== undefined && at === this.now() && at < this.earliestHeld && at >= this.lastAt) {
      this.lastAt = at;
      this.emit(line);
      return;
    }
    this.held.push({ line, at, seq: this.seq++ });
    if (at < this.earliestHeld) this.earliestHeld = at;
  }

  /** Hand on every held line at or before `now`, in order. */
  release(now: number): void {
    if (!this.held.length) return;
    const due = this.held.filter((h) => h.at <= now);
    if (!due.length) return;
    this.held = due.length === this.held.length ? [] : this.held.filter((h) => h.at > now);
    this.earliestHeld = this.held.reduce((min, h) => Math.min(min, h.at), Number.POSITIVE_INFINITY);
    due.sort((a, b) => a.at - b.at || a.seq - b.seq);
    for (const h of due) this.emit(h.line);
    this.lastAt = Math.max(this.lastAt, due[due.length - 1].at);
  }

  /** Hand on the rest: the run is over. */
  end(): void {
    this.release(Number.POSITIVE_INFINITY);
  }
}
