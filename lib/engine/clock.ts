/** Clocks for the local engine: virtual for simulate and tests, wall (optionally faster) for dev. */
import type { Clock } from '../core/ports';

/** Time that moves only when told to. */
export class VirtualClock implements Clock {
  constructor(private ms: number) {}
  now(): number {
    return this.ms;
  }
  /** Move to `ms`; time never goes backwards. */
  advanceTo(ms: number): void {
    if (ms > this.ms) this.ms = ms;
  }
}

/** Wall-clock time, running `speed` times faster from the moment it was created. */
export class WallClock implements Clock {
  private readonly origin = Date.now();
  constructor(private readonly speed = 1) {}
  now(): number {
    const real = Date.now();
    return this.speed === 1 ? real : Math.floor(this.origin + (real - this.origin) * this.speed);
  }
  /** Real milliseconds until the clock shows `ms`. */
  realDelayUntil(ms: number): number {
    return Math.max(0, (ms - this.now()) / this.speed);
  }
}
