/**
 * Audience runs on the local runtime (SPEC §6): the run state machine of each audience journey
 * version registered beside the journey's, the audience function in-process, member files in a
 * directory (the local S3), and the run starter that stands in for EventBridge Scheduler.
 */
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AUDIENCE_PLACEHOLDER, compileRun } from '../audience/compile-run';
import { type AudienceInput, runAudienceOp } from '../audience/handler';
import { directoryObjectStore } from '../audience/object-store';
import type { AudienceVersion } from '../audience/ports';
import { RunStarter } from '../audience/run-starter';
import type { CatalogEntry, JourneyCatalog } from '../core/catalog';
import type { Deps } from '../core/ports';
import type { LocalEngine } from '../engine/engine';
import { renderAsl, substitute } from '../journey/compile';
import type { LoadedJourney } from '../journey/load';

/** The bucket member files go to: a folder of the objects directory. */
export const LOCAL_AUDIENCE_BUCKET = 'baton-audiences';
/** The audience function's ARN locally. */
export const LOCAL_AUDIENCE_FUNCTION = 'arn:aws:lambda:local:000000000000:function:baton-audience';

/**
 * The state machine of a journey version's runs locally: `baton-<journey>.run:<version>`. The dot
 * keeps it apart from every journey's own machine, whose ids have none (`newsletter-run` is a
 * journey id; `newsletter.run` cannot be).
 */
export function localRunStateMachineArn(journeyId: string, version: number): string {
  return `arn:aws:states:local:000000000000:stateMachine:baton-${journeyId}.run:${version}`;
}

export interface LocalAudience {
  /** The audience function, for the engine's handlers. */
  handler(payload: unknown): Promise<unknown>;
  starter: RunStarter;
  /** Register a journey version's run state machine, when it has an audience. */
  publish(journey: LoadedJourney, entry: CatalogEntry): Promise<void>;
  /** The directory member files are written to (`<dir>/<bucket>/<key>`), which the engine's Map reads. */
  objectsDir: string;
  close(): void;
}

/**
 * Wire audiences into a local runtime. `deps` is read when a run calls the function (the runtime
 * builds it after the engine); member files go to `objectsDir`, the directory the engine's Map
 * reads, which is removed on close when `removeOnClose` (a temporary one).
 */
export function localAudience(opts: {
  deps: () => Deps;
  engine: LocalEngine;
  catalog: JourneyCatalog;
  substitutions: Record<string, string>;
  objectsDir: string;
  removeOnClose: boolean;
}): LocalAudience {
  const { objectsDir } = opts;
  const versions = new Map<string, AudienceVersion>();
  const key = (id: string, version: number) => `${id}\u0000${version}`;
  const objects = directoryObjectStore(objectsDir);
  const ports = () => ({
    deps: opts.deps(),
    objects,
    bucket: LOCAL_AUDIENCE_BUCKET,
    // A run whose version is no longer loaded (a restart since) goes on with the current one:
    // members are the same people, and entry is idempotent per (journey, customer, runAt).
    version: (id: string, version: number) =>
      versions.get(key(id, version)) ?? versions.get(key(id, opts.catalog.get(id)?.journey.version ?? -1)),
  });
  const starter = new RunStarter({
    get table() {
      return opts.deps().table;
    },
    get clock() {
      return opts.deps().clock;
    },
    get sfn() {
      return opts.engine;
    },
    get log() {
      return opts.deps().log;
    },
    journeys: () => opts.catalog.all(),
    runStateMachineArn: localRunStateMachineArn,
  });
  return {
    handler: (payload) => runAudienceOp(ports(), payload as AudienceInput),
    starter,
    objectsDir,
    async publish(l, entry) {
      if (!l.journey.audience) return;
      const arn = localRunStateMachineArn(l.journey.id, l.journey.version);
      await opts.engine.register(arn, substitute(renderAsl(compileRun(l.journey)), opts.substitutions));
      versions.set(key(l.journey.id, l.journey.version), {
        entry,
        segmentFile: async (file) => {
          try {
            return readFileSync(join(dirname(l.file), file), 'utf8');
          } catch {
            return undefined;
          }
        },
      });
    },
    close() {
      if (opts.removeOnClose) rmSync(objectsDir, { recursive: true, force: true });
    },
  };
}

/** The substitution of the audience function's placeholder. */
export const AUDIENCE_SUBSTITUTION = { [AUDIENCE_PLACEHOLDER]: LOCAL_AUDIENCE_FUNCTION };
