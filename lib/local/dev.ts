/**
 * `baton dev`: the local engine on the wall clock (optionally faster), data on disk, the HTTP API
 * on 127.0.0.1 answering events once they are stored and processing them right behind (the event
 * queue), and a scheduler that polls the store for due waits. At start it finishes whatever a
 * previous run left half-done: the events it accepted, ahead of new ones, and the executions it
 * was running.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../core/ports';
import type { Profile } from '../core/profile';
import type { LoadedJourney } from '../journey/load';
import { type LocalServer, listen } from '../server/http';
import { DataDirLockedError } from '../store/data-dir-lock';
import { type ClockStart, ContinuingClock } from './continuing-clock';
import { DataDirInUseError, PortInUseError } from './dev-errors';
import { migrateDataDir } from './migrations';
import { watchJourneys } from './reload';
import { type LocalRuntime, startLocalRuntime } from './runtime';
import { type SeedOutcome, seedNewDataDir } from './seed';

export interface DevOptions {
  journeys: LoadedJourney[];
  /** The folder the journeys came from: watched, and reloaded on change. */
  workflowsDir?: string;
  /** Stored only when the data directory is new (see seedNewDataDir). */
  profiles: Profile[];
  dataDir: string;
  port: number;
  speed: number;
  /** Start engine time over at real time instead of where the data directory's last run left it. */
  resetClock?: boolean;
  /** Copy a data dir written by the earlier store (dynalite) into the current one instead of refusing it. */
  migrateLegacyStore?: boolean;
  log: Logger;
  /** Real milliseconds between polls for due waits. */
  pollMs?: number;
}

export interface DevServer {
  port: number;
  runtime: LocalRuntime;
  clock: ContinuingClock;
  /** How the clock was set at start. */
  clockStart: ClockStart;
  /** What became of the profiles given. */
  seed: SeedOutcome;
  close(): Promise<void>;
}

/** Open the data directory's store; another `baton dev` holding it is a DataDirInUseError. */
async function openRuntime(opts: DevOptions, clock: ContinuingClock): Promise<LocalRuntime> {
  try {
    return await startLocalRuntime({
      journeys: opts.journeys,
      clock,
      dataDir: opts.dataDir,
      // Member files of audience runs, beside the store: a run resumed after a restart reads them.
      objectsDir: join(opts.dataDir, 'objects'),
      log: opts.log,
      migrateLegacyStore: opts.migrateLegacyStore,
    });
  } catch (err) {
    throw err instanceof DataDirLockedError ? new DataDirInUseError(opts.dataDir, { cause: err }) : err;
  }
}

/** Start `baton dev`. Rejects with DataDirInUseError or PortInUseError when it cannot. */
export async function startDev(opts: DevOptions): Promise<DevServer> {
  mkdirSync(opts.dataDir, { recursive: true });
  // The clock is created before the store is open; its origin is fixed from the store just after.
  const clock = new ContinuingClock(opts.speed);
  const runtime = await openRuntime(opts, clock);
  // Seeding looks at whether a clock was kept, so it comes before the clock keeps one.
  const seed = await seedNewDataDir(runtime.table, opts.profiles, clock.now());
  const indexed = await migrateDataDir(runtime.table);
  if (indexed) opts.log.info('indexed the profiles an earlier version stored, so audiences list them', { indexed });
  const clockStart = await clock.continueFrom(runtime.table, { reset: opts.resetClock });
  clock.keepRenewing((err) => opts.log.error('engine time could not be saved', { error: String(err) }));
  // Events a previous run accepted and did not finish go first, in the order they came in.
  const unfinished = await runtime.events.start();
  if (unfinished) opts.log.info('processing events a previous run accepted and did not finish', { events: unfinished });
  const watcher = opts.workflowsDir ? watchJourneys(runtime, opts.workflowsDir, opts.log) : undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const poll = async () => {
    try {
      // Audience runs due now start first (the local EventBridge Scheduler), then whatever is due runs.
      await runtime.runs.startDue();
    } catch (err) {
      opts.log.error('audience runs could not be started', { error: String(err) });
    }
    try {
      await runtime.engine.runDue();
    } catch (err) {
      opts.log.error('scheduler poll failed', { error: String(err) });
    }
    if (!stopped) timer = setTimeout(poll, opts.pollMs ?? 200);
  };
  // The first poll also resumes whatever a previous run left due or running.
  await poll();
  let server: LocalServer;
  try {
    server = await listen(runtime.deps, opts.port, runtime.events, runtime.flushed);
  } catch (err) {
    stopped = true;
    clearTimeout(timer);
    watcher?.close();
    await runtime.events.close();
    await runtime.engine.idle().catch(() => undefined);
    await clock.stop();
    await runtime.close();
    throw (err as NodeJS.ErrnoException)?.code === 'EADDRINUSE' ? new PortInUseError(opts.port, { cause: err }) : err;
  }
  return {
    port: server.port,
    runtime,
    clock,
    clockStart,
    seed,
    close: async () => {
      stopped = true;
      clearTimeout(timer);
      watcher?.close();
      // Requests in progress finish before the store closes, and so do the events being
      // processed; those still waiting stay pending in the store for the next start.
      await server.close();
      await runtime.events.close();
      await runtime.engine.idle().catch(() => undefined);
      // The time reached is saved last, so the next run continues from exactly there.
      await clock.stop();
      await runtime.close();
    },
  };
}
