/**
 * What an audience journey's runs did, for the console: per run its members, how many entered and
 * were ignored (by reason) and how far it has come, from the records the run writes as it goes —
 * the run record (started, listed) and one record per batch entered. One partition per journey:
 * a query, never a scan.
 */
import type { Journey } from '../journey/schema';
import { keys } from '../store/keys';
import type { Item, Table } from '../store/port';
import { nextRun, readCursor } from './run-starter';

export interface RunProgress {
  runAt: string;
  version: number;
  startedAt?: string;
  listedAt?: string;
  /** Known once the run has listed its members. */
  members?: number;
  entered: number;
  ignored: Record<string, number>;
  /** Members entered or ignored, out of `members` (0 to 1); undefined until the members are known. */
  progress?: number;
  /** started: listing its members; entering: some left; done: every member entered or ignored. */
  status: 'started' | 'entering' | 'done';
}

/** The runs of a journey, newest first. */
export async function audienceRuns(table: Table, journeyId: string): Promise<RunProgress[]> {
  const items = await table.queryAll(keys.audience(journeyId));
  const runs = new Map<string, RunProgress>();
  const batches: Item[] = [];
  for (const item of items) {
    if (item.sk.startsWith(keys.audienceRunPrefix)) {
      const runAt = item.sk.slice(keys.audienceRunPrefix.length);
      runs.set(runAt, {
        runAt,
        version: item.version as number,
        ...(item.startedAt ? { startedAt: item.startedAt as string } : {}),
        ...(item.listedAt ? { listedAt: item.listedAt as string } : {}),
        ...(typeof item.members === 'number' ? { members: item.members } : {}),
        entered: 0,
        ignored: {},
        status: 'started',
      });
    } else if (item.sk.startsWith(keys.audienceBatchPrefix)) batches.push(item);
  }
  for (const batch of batches) {
    // B#<runAt>#<batch>: a runAt has no #.
    const run = runs.get(batch.sk.slice(keys.audienceBatchPrefix.length, batch.sk.lastIndexOf('#')));
    if (!run) continue;
    run.entered += batch.entered as number;
    for (const [reason, n] of Object.entries(batch.ignored as Record<string, number>))
      run.ignored[reason] = (run.ignored[reason] ?? 0) + n;
  }
  for (const run of runs.values()) {
    if (run.members === undefined) continue;
    const settled = run.entered + Object.values(run.ignored).reduce((a, b) => a + b, 0);
    run.progress = run.members ? settled / run.members : 1;
    run.status = settled >= run.members ? 'done' : 'entering';
  }
  return [...runs.values()].sort((a, b) => (a.runAt < b.runAt ? 1 : a.runAt > b.runAt ? -1 : 0));
}

/** The next run the local run starter will start, with the instant it starts at; undefined when none is left. */
export async function upcomingRun(
  table: Table,
  journey: Journey,
  now: number,
): Promise<{ runAt: string; startsAt: string } | undefined> {
  const run = nextRun(journey, (await readCursor(table, journey.id)) ?? { seenAt: now });
  return run && { runAt: run.runAt, startsAt: new Date(run.earliest).toISOString() };
}
