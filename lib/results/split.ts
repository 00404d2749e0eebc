/**
 * The split step (SPEC §3, §7), decided by the step handler: the path of an instance is a hash of
 * its id and the step (the same every time it comes here, on AWS and locally alike), or the winner
 * once split.optimize chose one; its entry is counted on the path, and the instance's conversion
 * watcher learns the path (kept from its first time here: one path, one entry per instance).
 */
import { hash } from 'node:crypto';
import type { Deps } from '../core/ports';
import type { SplitInput } from '../core/task-input';
import { notePath } from './conversion';
import { metric } from './metrics';
import { optimizedPath } from './optimizer';
import { countVisits, withPassed } from './visits';

/** Where an instance falls at a split, in [0, 1): stable for the instance and the step. */
export function splitBucket(instance: string, step: string): number {
  return hash('sha256', `${instance}#${step}`, 'buffer').readUInt32BE(0) / 2 ** 32;
}

/** The path whose share of the weights holds the bucket. */
export function pathOfBucket(paths: { weight: number }[], bucket: number): number {
  const total = paths.reduce((sum, p) => sum + p.weight, 0);
  let cumulative = 0;
  for (let i = 0; i < paths.length - 1; i++) {
    cumulative += paths[i].weight;
    if (bucket < cumulative / total) return i;
  }
  return paths.length - 1;
}

/** Decide an instance's path at a split; the state machine routes on `path`. */
export async function decideSplit(
  deps: Pick<Deps, 'table' | 'clock' | 'onTimeline'>,
  input: SplitInput,
): Promise<{ path: number; passed?: null | '|' }> {
  let path = pathOfBucket(input.paths, splitBucket(input.instance, input.step));
  // Holdouts keep their share; the others go the winner's way once there is one.
  if (input.optimize && !input.paths[path].holdout) {
    const winner = await optimizedPath(deps, { ...input, optimize: input.optimize });
    if (winner !== undefined) path = winner;
  }
  // An instance enters a path once, however often it comes back to the split: its conversion counts once.
  const noted = input.goal ? await notePath(deps, { ...input, goal: input.goal }, path) : undefined;
  const cohort: Record<string, number> = {};
  if (noted) path = noted.path;
  if (!noted || noted.first) cohort[metric.splitEntered(input.step, path)] = 1;
  if (noted?.first && noted.converted) cohort[metric.splitConverted(input.step, path)] = 1;
  return withPassed(input, { path }, await countVisits(deps, input, { route: String(path), cohort }));
}
