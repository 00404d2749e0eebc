/**
 * The local stand-in for EventBridge Scheduler (SPEC §6): `baton dev` and `simulate` start each
 * run of an audience journey's schedule when the engine clock reaches the run's earliest instant,
 * by StartExecution with the run's name, so a run is started once however often it is asked.
 *
 * Which run comes next is kept per journey in the table (a cursor: the run last started), so a
 * restart neither starts a run again nor skips one, and a new version of the journey goes on
 * from where the old one was. A journey seen for the first time starts with its first run that
 * lies wholly ahead, as a schedule created on AWS never fires for a time already past.
 */
import type { CatalogEntry } from '../core/catalog';
import type { Clock, Logger, StepFunctionsPort } from '../core/ports';
import { iso } from '../core/timeline';
import type { Journey } from '../journey/schema';
import { keys } from '../store/keys';
import type { Table } from '../store/port';
import { runExecutionName, runInput } from './run-identity';
import { findRun, type Run } from './schedule';

export interface RunStarterPorts {
  table: Table;
  clock: Clock;
  sfn: StepFunctionsPort;
  /** The journeys served now, in their current versions. */
  journeys(): CatalogEntry[];
  /** The state machine of a journey version's runs. */
  runStateMachineArn(journey: string, version: number): string;
  log: Logger;
}

/** What the cursor item keeps: when the journey was first seen, and the run last started. */
export interface RunCursor {
  seenAt: number;
  lastRunAt?: string;
  lastEarliest?: number;
}

/**
 * The run of `journey` that comes after `cursor`, if its schedule has one; the search starts at
 * run number `fromIndex` (runs before it are known to be started).
 */
export function nextRun(journey: Journey, cursor: RunCursor, fromIndex = 0): Run | undefined {
  const schedule = journey.audience?.schedule;
  if (!schedule) return undefined;
  const zone = journey.settings?.timezone ?? 'UTC';
  const last = cursor.lastEarliest;
  const after = (run: Run) => (last === undefined ? run.earliest >= cursor.seenAt : run.earliest > last);
  return findRun(schedule, zone, after, fromIndex);
}

/** The cursor kept for a journey, if it was ever seen. */
export async function readCursor(table: Table, journeyId: string): Promise<RunCursor | undefined> {
  const item = await table.get(keys.audience(journeyId), keys.audienceCursor);
  if (!item) return undefined;
  return {
    seenAt: item.seenAt as number,
    ...(item.lastRunAt !== undefined
      ? { lastRunAt: item.lastRunAt as string, lastEarliest: item.lastEarliest as number }
      : {}),
  };
}

interface Pending {
  version: number;
  cursor: RunCursor;
  run: Run | undefined;
}

/** Starts the due runs of the audience journeys served (ask `nextAt` when to call `startDue` next). */
export class RunStarter {
  /** The next run of each journey, as last worked out (by journey id). */
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly ports: RunStarterPorts) {}

  /** The earliest instant of the next run not started of any audience journey. */
  async nextAt(): Promise<number | undefined> {
    let next: number | undefined;
    for (const entry of this.audienceJourneys()) {
      const p = await this.pendingOf(entry.journey);
      if (p.run && (next === undefined || p.run.earliest < next)) next = p.run.earliest;
    }
    return next;
  }

  /** Start every run whose earliest instant the clock has reached; how many were started. */
  async startDue(): Promise<number> {
    let started = 0;
    for (const entry of this.audienceJourneys()) {
      for (;;) {
        const p = await this.pendingOf(entry.journey);
        if (!p.run || p.run.earliest > this.ports.clock.now()) break;
        await this.start(entry.journey, p);
        started++;
      }
    }
    return started;
  }

  private audienceJourneys(): CatalogEntry[] {
    return this.ports.journeys().filter((e) => e.journey.audience);
  }

  private async pendingOf(journey: Journey): Promise<Pending> {
    const known = this.pending.get(journey.id);
    if (known && known.version === journey.version) return known;
    let cursor = known?.cursor ?? (await readCursor(this.ports.table, journey.id));
    if (!cursor) {
      cursor = { seenAt: this.ports.clock.now() };
      await this.ports.table.put(
        { pk: keys.audience(journey.id), sk: keys.audienceCursor, ...cursor },
        { ifAbsent: true },
      );
      // Another writer's cursor wins (a concurrent first sight): read what is stored.
      cursor = (await readCursor(this.ports.table, journey.id)) ?? cursor;
    }
    const p: Pending = { version: journey.version, cursor, run: nextRun(journey, cursor) };
    this.pending.set(journey.id, p);
    return p;
  }

  /** StartExecution by the run's name (a second call is the same execution), then the cursor moves on. */
  private async start(journey: Journey, p: Pending): Promise<void> {
    const run = p.run!;
    const stateMachineArn = this.ports.runStateMachineArn(journey.id, journey.version);
    const name = runExecutionName(journey.id, journey.version, run.runAt);
    const now = iso(this.ports.clock.now());
    try {
      await this.ports.sfn.startExecution({ stateMachineArn, name, input: runInput(run.runAt) });
    } catch (err) {
      // Closed already: started before a crash kept the cursor from moving.
      if ((err as Error).name !== 'ExecutionAlreadyExists') throw err;
    }
    await this.ports.table.update(keys.audience(journey.id), keys.audienceRun(run.runAt), {
      set: { version: journey.version, startedAt: now, execution: name },
    });
    const cursor: RunCursor = { seenAt: p.cursor.seenAt, lastRunAt: run.runAt, lastEarliest: run.earliest };
    await this.ports.table.put({ pk: keys.audience(journey.id), sk: keys.audienceCursor, ...cursor });
    this.ports.log.info('audience run started', { journey: journey.id, version: journey.version, runAt: run.runAt });
    this.pending.set(journey.id, { version: journey.version, cursor, run: nextRun(journey, cursor, run.index + 1) });
  }
}

/** The earliest instant of the first run of any of these journeys: where `simulate` starts when it is before the first event. */
export function firstRunAt(journeys: Journey[]): number | undefined {
  let first: number | undefined;
  for (const journey of journeys) {
    const run = nextRun(journey, { seenAt: Number.NEGATIVE_INFINITY });
    if (run && (first === undefined || run.earliest < first)) first = run.earliest;
  }
  return first;
}

/** A schedule that repeats without an end never runs out of runs: a simulation of it needs an `until`. */
export class EndlessScheduleError extends Error {
  override readonly name = 'EndlessScheduleError';
  constructor(readonly journey: string) {
    super(`${journey} repeats without an end: give --until (a time or a duration) to say where the simulation stops`);
  }
}

/** The first journey whose schedule repeats without an end, if any. */
export function endlessJourney(journeys: Journey[]): string | undefined {
  return journeys.find((j) => j.audience?.schedule.repeat !== undefined && j.audience.schedule.end === undefined)?.id;
}
