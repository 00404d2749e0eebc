/**
 * `baton dev`'s clock: the wall clock, `--speed` times faster, that goes on across restarts on the
 * same data directory. Its origin is kept in the store, so after a kill and a restart the virtual
 * time is where it would have been had the process never stopped, and the waits that fell due in
 * the meantime fire at once — rather than the clock jumping back to real time and holding every
 * wait for as long again.
 */
import type { Clock } from '../core/ports';
import { WallClock } from '../engine/clock';
import type { Table } from '../store/table';

const KEY = { pk: 'CLOCK', sk: '_' };

export class ContinuingClock implements Clock {
  private clock: WallClock;

  constructor(private readonly speed: number) {
    this.clock = new WallClock(speed);
  }

  now(): number {
    return this.clock.now();
  }

  /** Continue the time the store's last run left, at this run's speed, and record the new origin. */
  async continueFrom(table: Table): Promise<void> {
    const saved = await table.get(KEY.pk, KEY.sk);
    const real = Date.now();
    let virtual = real;
    if (saved) {
      const origin = saved.origin as { real: number; virtual: number };
      virtual = Math.max(real, Math.floor(origin.virtual + (real - origin.real) * (saved.speed as number)));
    }
    this.clock = new WallClock(this.speed, { real, virtual });
    await table.put({ ...KEY, origin: this.clock.origin, speed: this.speed });
  }
}
