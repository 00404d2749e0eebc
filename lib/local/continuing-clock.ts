/**
 * `baton dev`'s clock: the wall clock, `--speed` times faster, that goes on across restarts on the
 * same data directory without ever running backwards, and without running fast while the process
 * is stopped.
 *
 * The store keeps a mark: an engine time this run's clock will not pass until the mark is saved
 * (renewed a little ahead, every half lease), and the real time at which the clock reaches it. So
 * whatever time the engine ever saw, even just before a kill -9, is at most the mark. A restart
 * continues from the mark plus the real time since then at x1: time while stopped never runs at
 * --speed, and a kill moves the clock on by at most one lease of sped-up time (a real second by
 * default).
 */
import type { Clock } from '../core/ports';
import type { Table } from '../store/port';

const KEY = { pk: 'CLOCK', sk: '_' };

/** Real milliseconds the saved mark runs ahead of the clock. */
const DEFAULT_LEASE_MS = 1000;

/** The most `--speed` may be: a year in about 32 seconds. */
export const MAX_SPEED = 1_000_000;

/**
 * The latest engine time: the last instant RFC 3339 can write (a four-digit year). The clock
 * stops there; a data dir whose saved clock is past it (from a run before the speed was bounded)
 * is refused at start with what to do.
 */
export const LATEST_ENGINE_TIME = Date.parse('9999-12-31T23:59:59.999Z');

/** This data dir's saved engine time is past the latest one. */
export class ClockOutOfRangeError extends Error {
  override readonly name = 'ClockOutOfRangeError';
  constructor(virtual: number) {
    super(
      `this data dir's engine clock was saved at ${Number.isFinite(virtual) ? `${virtual} ms` : String(virtual)} since 1970, past 9999-12-31 (a --speed this large is refused now): start with --reset-clock`,
    );
  }
}

/** Where the engine clock stands against real time; both in milliseconds since the epoch. */
export interface ClockPoint {
  real: number;
  virtual: number;
}

export interface ContinuingClockOptions {
  /** Real time (tests pass a virtual clock's). */
  realNow?: () => number;
  leaseMs?: number;
}

/** How this run's clock was set at start, for the start-up lines. */
export interface ClockStart {
  /** Engine time at start. */
  engineTime: number;
  /** Engine time minus real time at start: how far the clock runs ahead after earlier runs. */
  aheadMs: number;
  /** Whether the time was carried over from an earlier run of this data directory. */
  continued: boolean;
}

/** The engine clock of `baton dev`: real time x `speed`, continued across runs on one data directory. */
export class ContinuingClock implements Clock {
  private readonly realNow: () => number;
  private readonly leaseMs: number;
  private origin: ClockPoint;
  /** The clock never shows more than the mark saved in the store. */
  private bound = Number.POSITIVE_INFINITY;
  /** The clock never shows less than it showed (the host's clock may be set back). */
  private last = Number.NEGATIVE_INFINITY;
  private table?: Table;
  private renewing?: Promise<void>;
  private timer?: NodeJS.Timeout;

  constructor(
    readonly speed: number,
    opts: ContinuingClockOptions = {},
  ) {
    this.realNow = opts.realNow ?? Date.now;
    this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
    const real = this.realNow();
    this.origin = { real, virtual: real };
  }

  now(): number {
    const at = Math.floor(this.origin.virtual + (this.realNow() - this.origin.real) * this.speed);
    this.last = Math.max(this.last, Math.min(at, this.bound));
    return this.last;
  }

  /**
   * Continue the time this data directory's last run reached (or real time on a new one, or with
   * `reset`), save the first mark, and return how the clock was set.
   */
  async continueFrom(table: Table, opts: { reset?: boolean } = {}): Promise<ClockStart> {
    this.table = table;
    const real = this.realNow();
    const saved = opts.reset ? undefined : lastMark(await table.get(KEY.pk, KEY.sk));
    if (saved && !(saved.virtual <= LATEST_ENGINE_TIME)) throw new ClockOutOfRangeError(saved.virtual);
    // Time while stopped passes at real speed, and the engine never falls behind real time.
    const virtual = saved ? Math.max(real, saved.virtual + Math.max(0, real - saved.real)) : real;
    this.origin = { real, virtual };
    this.last = virtual;
    this.bound = virtual;
    await this.renew();
    return { engineTime: virtual, aheadMs: virtual - real, continued: saved !== undefined };
  }

  /** Save a mark one lease ahead of now, then let the clock run up to it. */
  renew(): Promise<void> {
    this.renewing ??= this.saveMark(this.realNow() + this.leaseMs).finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  /** Renew the mark every half lease until `stop`. */
  keepRenewing(onError: (err: unknown) => void): void {
    this.timer = setInterval(() => void this.renew().catch(onError), this.leaseMs / 2);
    this.timer.unref();
  }

  /** Stop the clock where it is now and save exactly that, so the next run continues from it. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing?.catch(() => undefined);
    const real = this.realNow();
    this.bound = this.now();
    await this.write({ real, virtual: this.bound });
  }

  private async saveMark(real: number): Promise<void> {
    const ahead = Math.floor(this.origin.virtual + (real - this.origin.real) * this.speed);
    const mark = { real, virtual: Math.min(ahead, LATEST_ENGINE_TIME) };
    await this.write(mark);
    this.bound = Math.max(this.bound, mark.virtual);
  }

  private async write(mark: ClockPoint): Promise<void> {
    if (!this.table) throw new Error('the clock has no store yet: call continueFrom first');
    await this.table.put({ ...KEY, mark, speed: this.speed });
  }
}

/**
 * The mark of the last run. A data directory from before marks were kept holds only the origin
 * of its last run: that is the one point known for sure, so it counts as the mark.
 */
function lastMark(item: Record<string, unknown> | undefined): ClockPoint | undefined {
  if (!item) return undefined;
  return (item.mark ?? item.origin) as ClockPoint | undefined;
}

/** Whether a run of `baton dev` has kept its clock in this store (the data directory was used). */
export async function clockKept(table: Table): Promise<boolean> {
  return (await table.get(KEY.pk, KEY.sk)) !== undefined;
}
