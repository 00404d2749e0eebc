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

/**
 * Wall-clock time, running `speed` times faster from an origin: at real time `origin.real` it
 * showed `origin.virtual` (by default: now, showing now).
 */
export class WallClock implements Clock {
  readonly origin: { real: number; virtual: number };
  constructor(
    readonly speed = 1,
    origin?: { real: number; virtual: number },
  ) {
    const now = Date.now();
    this.origin = origin ?? { real: now, virtual: now };
  }
  now(): number {
    const real = Date.now();
    return Math.floor(this.origin.virtual + (real - this.origin.real) * this.speed);
  }
}
