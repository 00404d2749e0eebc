/**
 * The progress line `baton simulate` shows on a terminal (never in piped output): rewritten in
 * place at most every 200 ms of wall time, and cleared at the end, so the lines on stdout stay clean.
 */

/** How far a run has come. */
export interface RunProgress {
  /** The share of the events file read (or of its events replayed), 0 to 1. */
  fraction: number;
  events: number;
  /** Wall-clock milliseconds since the run began. */
  elapsedMs: number;
  /** The engine's virtual time (ms). */
  virtualMs: number;
}

/** One line of progress: share of the file, events and their rate, virtual time. */
export function progressText(p: RunProgress): string {
  const rate = p.elapsedMs > 0 ? Math.round((p.events * 1000) / p.elapsedMs) : 0;
  const percent = Math.floor(p.fraction * 100);
  return `simulating… ${percent}% of the events file, ${p.events.toLocaleString('en-US')} events (${rate.toLocaleString('en-US')}/s), virtual time ${new Date(p.virtualMs).toISOString()}`;
}

/** A line of text rewritten in place on a terminal. */
export class ProgressLine {
  private shownAt = Number.NEGATIVE_INFINITY;
  private shown = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly wallNow: () => number = Date.now,
  ) {}

  /** Show `text` (made only when it will be shown), unless a line was shown less than 200 ms ago. */
  show(text: () => string): void {
    const now = this.wallNow();
    if (now - this.shownAt < 200) return;
    this.shownAt = now;
    this.shown = true;
    this.write(`\r${text()}\x1b[K`);
  }

  /** Remove the line, if one was shown. */
  clear(): void {
    if (this.shown) this.write('\r\x1b[K');
    this.shown = false;
  }
}
