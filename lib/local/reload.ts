/**
 * `baton dev` watches the journeys folder: a valid edit that bumps `version` publishes the new
 * version (new entries take it; instances in flight finish on theirs); an invalid edit is
 * reported with its errors while the running version keeps serving.
 */
import { type FSWatcher, watch } from 'node:fs';
import type { Logger } from '../core/ports';
import { checkTemplate } from '../core/templates';
import { formatProblems, loadJourneys } from '../journey/load';
import type { LocalRuntime } from './runtime';

export type ReloadOutcome =
  | { journey: string; kind: 'published'; version: number }
  | { journey: string; kind: 'unchanged' }
  | { journey: string; kind: 'not-bumped' | 'older'; version: number; running: number };

/** Load the folder again and publish what changed; returns what happened per journey. */
export async function reloadJourneys(
  runtime: LocalRuntime,
  dir: string,
  log: Logger,
): Promise<{ outcomes: ReloadOutcome[]; problems: string[] }> {
  const { loaded, failures } = loadJourneys([dir], { checkTemplate });
  const problems = formatProblems(failures);
  for (const p of problems) log.error(`not reloaded: ${p}`);
  const outcomes: ReloadOutcome[] = [];
  for (const l of loaded) {
    const current = runtime.deps.catalog.get(l.journey.id);
    const id = l.journey.id;
    if (!current || l.journey.version > current.journey.version) {
      await runtime.publish(l);
      outcomes.push({ journey: id, kind: 'published', version: l.journey.version });
      log.info(`published ${id} v${l.journey.version}`);
    } else if (JSON.stringify(current.journey) === JSON.stringify(l.journey)) {
      outcomes.push({ journey: id, kind: 'unchanged' });
    } else {
      const kind = l.journey.version === current.journey.version ? 'not-bumped' : 'older';
      outcomes.push({ journey: id, kind, version: l.journey.version, running: current.journey.version });
      log.warn(
        `${id} changed but is still version ${l.journey.version}: bump "version" to publish it; v${current.journey.version} keeps serving`,
      );
    }
  }
  return { outcomes, problems };
}

/** Watch the folder (debounced) and reload on change. */
export function watchJourneys(runtime: LocalRuntime, dir: string, log: Logger): FSWatcher {
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const watcher = watch(dir, { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running
        .then(() => reloadJourneys(runtime, dir, log).then(() => undefined))
        .catch((err) => log.error('reload failed', { error: String(err) }));
    }, 250);
  });
  watcher.on('close', () => clearTimeout(timer));
  return watcher;
}
