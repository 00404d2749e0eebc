/**
 * `baton simulate`: the compiled journeys on the local engine in virtual time. Events are ingested
 * at their own times; between them the clock jumps to the next due wait. Executions advance one
 * at a time, so the same inputs always produce the same lines. Events may come as a stream (a
 * file read a line at a time) and lines go out as soon as they are final, so a backtest of any
 * length holds neither its input nor its output.
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
import { BACKTEST_RETENTION, type RetentionRule } from './backtest-retention';
import { inTimeOrder } from './event-file';
import { LineOrder } from './line-order';
import { type LocalRuntime, startLocalRuntime } from './runtime';

export interface SimulateOptions {
  journeys: LoadedJourney[];
  /** Events to replay: an array (replayed in time order, ties in array order), or a stream already in time order. */
  events: readonly Envelope[] | AsyncIterable<Envelope>;
  profiles: Iterable<Profile> | AsyncIterable<Profile>;
  /** Stop at this instant (ms), even if waits are pending. */
  until?: number;
  /** Each line as soon as it is final, in print order; without it the lines are returned in `lines`. */
  onLine?: (line: TimelineEntry) => void;
  /** Called with the virtual time and the events ingested so far, as the run proceeds. */
  onProgress?: (ms: number, events: number) => void;
  /** What the run forgets once no line can depend on it (default: BACKTEST_RETENTION; none keeps everything). */
  retention?: readonly RetentionRule[];
  /** Keep the run's store in an LMDB file in this directory instead of memory (the durable engine's figure). */
  dataDir?: string;
  /** Where handlers log (default: nowhere). */
  log?: Logger;
  /** Called with the runtime when the run is over, before the store closes (tests look inside). */
  inspect?: (rt: LocalRuntime) => Promise<void>;
}

export interface SimulateResult {
  /** The lines in print order (empty when `onLine` took them). */
  lines: TimelineEntry[];
  transitions: number;
  /** What the run cost, for benchmarks: the engine's counts, events ingested, the use cases' store requests. */
  usage: { engine: LocalEngine['counters']; ingested: number; store: Table['usage'] };
  /** Lines printed after a line with a later time (see LineOrder.late): 0 in every run we know of. */
  late: number;
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

/** A stream of events whose times went backwards: it cannot be replayed as it comes. */
export class EventsOutOfOrderError extends Error {
  override readonly name = 'EventsOutOfOrderError';
}

/** Run the journeys over the events in virtual time. */
export async function simulate(opts: SimulateOptions): Promise<SimulateResult> {
  const source: AsyncIterator<Envelope> = isStream(opts.events)
    ? opts.events[Symbol.asyncIterator]()
    : fromArray(inTimeOrder(opts.events));
  // Audience schedules run from the earliest of their start and the first event (SPEC §6).
  const journeys = opts.journeys.map((l) => l.journey);
  const endless = endlessJourney(journeys);
  if (endless !== undefined && opts.until === undefined) throw new EndlessScheduleError(endless);
  let head = await source.next();
  const firstEvent = head.done ? undefined : Date.parse(head.value.time);
  const start = earliest(firstEvent, firstRunAt(journeys)) ?? Date.now();
  const clock = new VirtualClock(start);
  const lines: TimelineEntry[] = [];
  const order = new LineOrder(opts.onLine ?? ((l) => lines.push(l)), () => clock.now());
  const rt = await startLocalRuntime({
    journeys: opts.journeys,
    clock,
    concurrency: 1,
    retention: opts.retention ?? BACKTEST_RETENTION,
    // A run in memory leaves nothing behind: its counters' adds are summed before they are written.
    bufferCounters: opts.dataDir === undefined,
    dataDir: opts.dataDir,
    log: opts.log,
    onTimeline: (e) => {
      if (SIMULATE_KINDS.includes(e.kind)) order.add(e);
    },
  });
  let ingested = 0;
  let storeUsage = { reads: 0, writes: 0 };
  try {
    for await (const p of opts.profiles) await putProfile(rt.table, p, start);
    // Loading profiles is set-up, not the journeys' cost.
    const before = { ...rt.table.usage };
    for (;;) {
      const eventAt = head.done ? undefined : Date.parse(head.value.time);
      const dueAt = earliest(await rt.engine.nextDueAt(), await rt.runs.nextAt());
      if (eventAt === undefined && dueAt === undefined) break;
      // Events first when both fall on the same instant: the customer acted in time.
      const takeEvent = eventAt !== undefined && (dueAt === undefined || eventAt <= dueAt);
      const at = takeEvent ? eventAt : dueAt!;
      if (opts.until !== undefined && at > opts.until) break;
      clock.advanceTo(at);
      opts.onProgress?.(clock.now(), ingested);
      if (takeEvent) {
        await ingest(rt.deps, (head as IteratorYieldResult<Envelope>).value);
        ingested++;
        head = await source.next();
        if (!head.done && Date.parse(head.value.time) < at)
          throw new EventsOutOfOrderError(
            `event ${head.value.id} (${head.value.time}) comes after one at ${new Date(at).toISOString()}: a stream of events must be in time order`,
          );
      } else {
        await rt.runs.startDue();
        await rt.engine.runDue();
      }
      await rt.engine.idle();
      order.release(clock.now());
    }
    storeUsage = { reads: rt.table.usage.reads - before.reads, writes: rt.table.usage.writes - before.writes };
    await opts.inspect?.(rt);
  } finally {
    await source.return?.();
    await rt.close();
  }
  order.end();
  return {
    lines,
    transitions: rt.engine.counters.transitions,
    usage: { engine: rt.engine.counters, ingested, store: storeUsage },
    late: order.late,
  };
}

function isStream(events: SimulateOptions['events']): events is AsyncIterable<Envelope> {
  return !Array.isArray(events) && Symbol.asyncIterator in events;
}

function fromArray<T>(items: readonly T[]): AsyncIterator<T> {
  let i = 0;
  return {
    next: async () => (i < items.length ? { done: false, value: items[i++] } : { done: true, value: undefined }),
  };
}
