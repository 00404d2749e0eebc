/**
 * `baton simulate`: the compiled journeys on the local engine in virtual time. Events are ingested
 * at their own times; between them the clock jumps to the next due wait. Executions advance one
 * at a time, so the same inputs always produce the same lines.
 */
import { EndlessScheduleError, endlessJourney, firstRunAt } from '../audience/run-starter';
import type { Envelope } from '../core/envelope';
import { ingest } from '../core/ingest';
import type { Logger } from '../core/ports';
import type { Profile } from '../core/profile';
import { SIMULATE_KINDS, type TimelineEntry } from '../core/timeline';
import { VirtualClock } from '../engine/clock';
import type { LocalEngine } from '../engine/engine';
import type { LoadedJourney } from '../journey/load';
import type { Table } from '../store/port';
import { putProfile } from '../store/profiles';
import { type LocalRuntime, startLocalRuntime } from './runtime';

export interface SimulateOptions {
  journeys: LoadedJourney[];
  events: Envelope[];
  profiles: Profile[];
  /** Stop at this instant (ms), even if waits are pending. */
  until?: number;
  /** Called with the virtual time as the run proceeds. */
  onProgress?: (ms: number) => void;
  /** Where handlers log (default: nowhere). */
  log?: Logger;
  /** Called with the runtime when the run is over, before the store closes (tests look inside). */
  inspect?: (rt: LocalRuntime) => Promise<void>;
}

export interface SimulateResult {
  lines: TimelineEntry[];
  transitions: number;
  /** What the run cost, for benchmarks: the engine's counts, events ingested, the use cases' store requests. */
  usage: { engine: LocalEngine['counters']; ingested: number; store: Table['usage'] };
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

export async function simulate(opts: SimulateOptions): Promise<SimulateResult> {
  const events = opts.events
    .map((event, i) => ({ event, i, at: Date.parse(event.time) }))
    .sort((a, b) => a.at - b.at || a.i - b.i);
  // Audience schedules run from the earliest of their start and the first event (SPEC §6).
  const journeys = opts.journeys.map((l) => l.journey);
  const endless = endlessJourney(journeys);
  if (endless !== undefined && opts.until === undefined) throw new EndlessScheduleError(endless);
  const firstRun = firstRunAt(journeys);
  let start = Math.min(events[0]?.at ?? Number.POSITIVE_INFINITY, firstRun ?? Number.POSITIVE_INFINITY);
  if (start === Number.POSITIVE_INFINITY) start = Date.now();
  const clock = new VirtualClock(start);
  const lines: TimelineEntry[] = [];
  const rt = await startLocalRuntime({
    journeys: opts.journeys,
    clock,
    concurrency: 1,
    log: opts.log,
    onTimeline: (e) => {
      if (SIMULATE_KINDS.includes(e.kind)) lines.push(e);
    },
  });
  let next = 0;
  let storeUsage = { reads: 0, writes: 0 };
  try {
    for (const p of opts.profiles) await putProfile(rt.table, p, start);
    // Loading profiles is set-up, not the journeys' cost.
    const before = { ...rt.table.usage };
    for (;;) {
      const eventAt = next < events.length ? events[next].at : undefined;
      const dueAt = earliest(await rt.engine.nextDueAt(), await rt.runs.nextAt());
      if (eventAt === undefined && dueAt === undefined) break;
      // Events first when both fall on the same instant: the customer acted in time.
      const takeEvent = eventAt !== undefined && (dueAt === undefined || eventAt <= dueAt);
      const at = takeEvent ? eventAt : dueAt!;
      if (opts.until !== undefined && at > opts.until) break;
      clock.advanceTo(at);
      opts.onProgress?.(clock.now());
      if (takeEvent) await ingest(rt.deps, events[next++].event);
      else {
        await rt.runs.startDue();
        await rt.engine.runDue();
      }
      await rt.engine.idle();
    }
    storeUsage = { reads: rt.table.usage.reads - before.reads, writes: rt.table.usage.writes - before.writes };
    await opts.inspect?.(rt);
  } finally {
    await rt.close();
  }
  const order = new Map(lines.map((l, i) => [l, i]));
  lines.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || order.get(a)! - order.get(b)!);
  return {
    lines,
    transitions: rt.engine.counters.transitions,
    usage: { engine: rt.engine.counters, ingested: next, store: storeUsage },
  };
}
