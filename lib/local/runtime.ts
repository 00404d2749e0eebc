/**
 * The local composition root: dynalite, the local engine running the compiled journeys with
 * in-process handlers, the outbox as the only channel. Shared by `baton simulate`, `baton dev`
 * and the tests, so all three run the same code as the Lambdas.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunStarter } from '../audience/run-starter';
import {
  type Destination,
  type DestinationConfig,
  type DestinationRouter,
  type DestinationsConfig,
  webhookDestination,
} from '../channels/destinations';
import { dispatchLog, listDispatches } from '../channels/dispatch-log';
import { listOutbox, outboxSender } from '../channels/outbox';
import { JourneyCatalog } from '../core/catalog';
import { executionClosed } from '../core/closed';
import { runDispatch } from '../core/dispatch';
import { park } from '../core/park';
import type { Clock, Deps, Logger } from '../core/ports';
import { silentLogger } from '../core/ports';
import { send } from '../core/send';
import { runStep } from '../core/step';
import type { DispatchInput, ParkInput, SendInput, StepInput } from '../core/task-input';
import { LocalEngine } from '../engine/engine';
import { compileJourney, HANDLER_PLACEHOLDERS, type HandlerName, renderAsl, substitute } from '../journey/compile';
import type { LoadedJourney } from '../journey/load';
import { CountingTable } from '../store/counting-table';
import { keys } from '../store/keys';
import { openLocalStore } from '../store/local-store';
import type { Table } from '../store/port';
import { AUDIENCE_SUBSTITUTION, LOCAL_AUDIENCE_FUNCTION, type LocalAudience, localAudience } from './audience-runtime';
import { type RetentionRule, retaining } from './backtest-retention';
import { BufferedCounters } from './buffered-counters';
import { EventQueue, type EventQueueOptions } from './event-queue';

const ACCOUNT = '000000000000';
/** Present from an erasure's first local deletion until its purge of the store's files. */
const PURGE_PENDING = { pk: 'PURGE', sk: '_' };

/** The ARN of a journey version's state machine locally: `<machine>:<version>`, as AWS names versions. */
export function localStateMachineArn(journeyId: string, version: number): string {
  return `arn:aws:states:local:${ACCOUNT}:stateMachine:baton-${journeyId}:${version}`;
}

/** The substitutions that point a compiled document at the in-process handlers. */
export function localSubstitutions(): Record<string, string> {
  return {
    ...Object.fromEntries(
      (Object.keys(HANDLER_PLACEHOLDERS) as HandlerName[]).map((h) => [
        HANDLER_PLACEHOLDERS[h],
        `arn:aws:lambda:local:${ACCOUNT}:function:baton-${h}`,
      ]),
    ),
    ...AUDIENCE_SUBSTITUTION,
  };
}

export interface LocalRuntime {
  deps: Deps;
  engine: LocalEngine;
  table: Table;
  /**
   * The durable queue `baton dev`'s POST /events accepts into (started by whoever serves it:
   * `events.start()` takes in what a previous run left pending).
   */
  events: EventQueue;
  /** Resolves once every accepted event is processed and the engine has nothing left to advance now. */
  processed(): Promise<void>;
  /** Publish a journey version: instances in flight finish on the version they started. */
  publish(journey: LoadedJourney): Promise<void>;
  /** Starts the runs of audience journeys when they are due (the local EventBridge Scheduler). */
  runs: RunStarter;
  /**
   * Resolve once every write issued so far is durable (LMDB commits writes in groups after they
   * resolve): the barrier before an answer or a call tells the outside world about them.
   */
  flushed(): Promise<void>;
  /** Let the events being processed finish, then close the store (those waiting stay pending in it). */
  close(): Promise<void>;
  /** How many items the store holds (in memory only). */
  itemCount?(): number;
}

export interface LocalRuntimeOptions {
  journeys: LoadedJourney[];
  clock: Clock;
  /** The data dir (an LMDB file in it); in memory when absent. */
  dataDir?: string;
  /** Where audience runs write their member files (the local S3); a temporary directory when absent. */
  objectsDir?: string;
  /** Copy a data dir written by the earlier store (dynalite) into the new one instead of refusing it. */
  migrateLegacyStore?: boolean;
  concurrency?: number;
  /** Executions queued before event processing waits for the engine (default MAX_QUEUED); tests lower it. */
  maxQueued?: number;
  log?: Logger;
  onTimeline?: Deps['onTimeline'];
  /** Configured action targets and hand-off destinations; anything else goes to the local dispatch log. */
  destinations?: DestinationsConfig;
  /** Whether configured webhooks are really called (dev); simulate and tests never touch the network. */
  allowNetwork?: boolean;
  /** What the runtime sees of the store (both its views); crash tests make it refuse every request from a point on. */
  tableView?: (table: Table) => Table;
  /** How the event queue processes accepted events (concurrency, backlog bound, retries). */
  eventQueue?: EventQueueOptions;
  /** Records kept only for a while (simulate's backtests); everything is kept when absent. */
  retention?: readonly RetentionRule[];
  /** Hold adds to results counters in memory until something reads them (simulate in memory: nothing outlives the run). */
  bufferCounters?: boolean;
}

/** Locally, configured webhooks are called (when allowed); everything else lands in the dispatch log. */
function localDestinations(
  table: Table,
  clock: Clock,
  config: DestinationsConfig | undefined,
  allowNetwork: boolean,
  flushed: () => Promise<void>,
): DestinationRouter {
  const pick = (config: DestinationConfig | undefined, name: string) =>
    allowNetwork && config?.type === 'webhook'
      ? afterFlush(webhookDestination(config), flushed)
      : dispatchLog(table, clock, name);
  return {
    action: (target) => pick(config?.targets?.[target], target),
    handoff: (channel) => pick(config?.handoffs?.[channel], `handoff.${channel}`),
  };
}

/**
 * A destination called only once every write issued before the call is durable: a call recorded
 * as started (the dispatch's ledger) must not be forgotten by a crash once it has gone out.
 */
function afterFlush(inner: Destination, flushed: () => Promise<void>): Destination {
  return {
    deliver: async (d) => {
      await flushed();
      return inner.deliver(d);
    },
  };
}

export async function startLocalRuntime(opts: LocalRuntimeOptions): Promise<LocalRuntime> {
  const store = await openLocalStore({
    path: opts.dataDir,
    now: () => opts.clock.now(),
    migrateLegacy: opts.migrateLegacyStore,
  });
  // The use cases' table (what the Lambdas would read and write on AWS, counted for cost
  // figures), and one for what exists only locally: the engine's checkpoints, outbox, dispatch log.
  const view = opts.tableView ?? ((t: Table) => t);
  const now = () => opts.clock.now();
  const kept = retaining(view(store.table), opts.retention ?? [], now);
  const counters = opts.bufferCounters ? new BufferedCounters(kept) : undefined;
  const table = new CountingTable(counters ?? kept);
  const localTable = new CountingTable(retaining(view(store.localTable), opts.retention ?? [], now));
  const purge = async () => {
    await store.purge();
    await localTable.delete(PURGE_PENDING.pk, PURGE_PENDING.sk);
  };
  const catalog = new JourneyCatalog([]);
  const subs = localSubstitutions();
  const handlers: Record<HandlerName, (payload: unknown) => Promise<unknown>> = {
    send: (p) => send(deps, p as SendInput),
    park: (p) => park(deps, p as ParkInput),
    step: (p) => runStep(deps, p as StepInput),
    dispatch: (p) => runDispatch(deps, p as DispatchInput),
  };
  // The audience function needs the engine (it starts executions); the engine calls it by ARN.
  let audience: LocalAudience | undefined;
  // Member files of audience runs: the list op writes them, the engine's Map reads them (the local S3).
  const objectsDir = opts.objectsDir ?? mkdtempSync(join(tmpdir(), 'baton-objects-'));
  const engine = new LocalEngine({
    objectsDir,
    table: localTable,
    clock: opts.clock,
    concurrency: opts.concurrency,
    maxQueued: opts.maxQueued,
    log: opts.log,
    onClosed: async (ex) => {
      await executionClosed(deps, ex);
    },
    handlers: {
      ...Object.fromEntries(
        (Object.keys(handlers) as HandlerName[]).map((h) => [subs[HANDLER_PLACEHOLDERS[h]], handlers[h]]),
      ),
      [LOCAL_AUDIENCE_FUNCTION]: (p) => audience!.handler(p),
    },
  });
  audience = localAudience({
    deps: () => deps,
    engine,
    catalog,
    substitutions: subs,
    objectsDir,
    removeOnClose: opts.objectsDir === undefined,
  });
  /** Register a journey version and make it the one new entries start. */
  const publish = async (l: LoadedJourney) => {
    const entry = {
      journey: l.journey,
      stateMachineArn: localStateMachineArn(l.journey.id, l.journey.version),
      templatesDir: l.templatesDir,
    };
    await engine.register(entry.stateMachineArn, substitute(renderAsl(compileJourney(l.journey)), subs));
    await audience!.publish(l, entry);
    catalog.set(entry);
  };
  for (const l of opts.journeys) await publish(l);
  const outbox = outboxSender(localTable, opts.clock);
  const deps: Deps = {
    table,
    clock: opts.clock,
    sfn: engine,
    catalog,
    senders: { sms: outbox, email: outbox, push: outbox },
    destinations: localDestinations(
      localTable,
      opts.clock,
      opts.destinations,
      opts.allowNetwork ?? false,
      store.flushed,
    ),
    log: opts.log ?? silentLogger,
    onTimeline: opts.onTimeline,
    eraseLocal: async (customerId, executionArns) => {
      // Noted first: a crash before the purge leaves it to the next start.
      await localTable.put({ ...PURGE_PENDING });
      for (const m of await listOutbox(localTable, { customerId, limit: Number.MAX_SAFE_INTEGER }))
        await localTable.delete(keys.outbox, m.messageId);
      for (const d of await listDispatches(localTable, { customerId, limit: Number.MAX_SAFE_INTEGER }))
        await localTable.delete(keys.dispatches, d.idempotencyKey);
      for (const arn of executionArns) await engine.forgetExecution(arn);
    },
    purgeErased: purge,
  };
  if (await localTable.get(PURGE_PENDING.pk, PURGE_PENDING.sk)) await purge();
  const events = new EventQueue(deps, opts.eventQueue);
  return {
    deps,
    engine,
    table,
    events,
    processed: async () => {
      await events.idle();
      await engine.idle();
    },
    publish,
    flushed: store.flushed,
    runs: audience.starter,
    close: async () => {
      await events.close();
      await counters?.flush();
      await store.close();
      audience?.close();
    },
    itemCount: store.itemCount,
  };
}
