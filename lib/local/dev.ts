/**
 * `baton dev`: the local engine on the wall clock (optionally faster), data on disk, the HTTP API
 * on 127.0.0.1, and a scheduler that polls the store for due waits. At start it finishes whatever
 * a previous run left half-done: the events it accepted, then the executions it was running.
 */
import { mkdirSync } from 'node:fs';
import { finishPendingEvents } from '../core/finish-pending';
import type { Logger } from '../core/ports';
import type { Profile } from '../core/profile';
import type { LoadedJourney } from '../journey/load';
import { type LocalServer, listen } from '../server/http';
import { putProfile } from '../store/profiles';
import { ContinuingClock } from './continuing-clock';
import { watchJourneys } from './reload';
import { type LocalRuntime, startLocalRuntime } from './runtime';

export interface DevOptions {
  journeys: LoadedJourney[];
  /** The folder the journeys came from: watched, and reloaded on change. */
  workflowsDir?: string;
  profiles: Profile[];
  dataDir: string;
  port: number;
  speed: number;
  log: Logger;
  /** Real milliseconds between polls for due waits. */
  pollMs?: number;
}

export interface DevServer {
  port: number;
  runtime: LocalRuntime;
  close(): Promise<void>;
}

export async function startDev(opts: DevOptions): Promise<DevServer> {
  mkdirSync(opts.dataDir, { recursive: true });
  // The clock is created before the store is open; its origin is fixed from the store just after.
  const clock = new ContinuingClock(opts.speed);
  const runtime = await startLocalRuntime({ journeys: opts.journeys, clock, dataDir: opts.dataDir, log: opts.log });
  await clock.continueFrom(runtime.table);
  for (const p of opts.profiles) await putProfile(runtime.table, p, clock.now());
  // Events a crash cut short are finished before anything else happens, in the order they came in.
  const finished = await finishPendingEvents(runtime.deps);
  if (finished) opts.log.info('finished events a previous run had accepted and not completed', { events: finished });
  const watcher = opts.workflowsDir ? watchJourneys(runtime, opts.workflowsDir, opts.log) : undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const poll = async () => {
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
    server = await listen(runtime.deps, opts.port);
  } catch (err) {
    stopped = true;
    clearTimeout(timer);
    watcher?.close();
    await runtime.close();
    throw err;
  }
  return {
    port: server.port,
    runtime,
    close: async () => {
      stopped = true;
      clearTimeout(timer);
      watcher?.close();
      // Requests in progress finish before the store closes: an event is never cut short here.
      await server.close();
      await runtime.engine.idle().catch(() => undefined);
      await runtime.close();
    },
  };
}
