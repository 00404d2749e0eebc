/**
 * The `enter` op of a run: one batch of members enters the journey, each with the run's trigger
 * (SPEC §6). Entry is idempotent per (journey, customer, runAt), so a batch retried after a
 * throttle, a failure or a crash enters nobody twice: a member entered by an earlier attempt is a
 * `duplicate`, counted as entered in this run. Entry rules apply as for events, with `ignored`
 * lines and reasons.
 *
 * The batch's record keeps how far it got (`next`, with the counts of the members before it), so
 * an attempt after a throttle goes on from there instead of looking at every member again: under
 * the StartExecution quota a batch is throttled several times, and each look costs reads.
 */
import { enterJourney } from '../core/entry';
import { digest } from '../core/ids';
import { iso } from '../core/timeline';
import { keys } from '../store/keys';
import type { MemberLine } from './list';
import { type AudiencePorts, versionOf } from './ports';
import { audienceTrigger } from './run-identity';

/** What the run's Map hands one child: a batch of member lines and the run they belong to. */
export interface RunBatch {
  Items: MemberLine[];
  BatchInput: { journey: string; version: number; runAt: string };
}

export interface EnterInput {
  op: 'enter';
  batch: RunBatch;
}

export interface EnterResult {
  entered: number;
  ignored: Record<string, number>;
}

/** Errors that say the caller is over its quota: the batch stops at once, its Retry waits and tries again. */
const THROTTLES = new Set(['ThrottlingException', 'TooManyRequestsException']);

/**
 * Enter every member of a batch. A throttle stops the batch at once (every later call would be
 * throttled too) and is rethrown for the Retry; any other failure of one member lets the others
 * go on, and is rethrown at the end, so each attempt makes what progress it can.
 */
export async function enterBatch(ports: AudiencePorts, input: EnterInput): Promise<EnterResult> {
  const { Items, BatchInput } = input.batch;
  const { entry } = versionOf(ports, BatchInput.journey, BatchInput.version);
  const { table } = ports.deps;
  const pk = keys.audience(BatchInput.journey);
  // Members are unique in a run: its first and last member and its size name a batch.
  const name = digest(Items[0]?.customerId, Items.at(-1)?.customerId, Items.length).slice(0, 16);
  const sk = keys.audienceBatch(BatchInput.runAt, name);
  const saved = await table.get(pk, sk);
  const resumed = saved?.members === Items.length && typeof saved.next === 'number';
  const result: EnterResult = resumed
    ? { entered: saved.entered as number, ignored: { ...(saved.ignored as Record<string, number>) } }
    : { entered: 0, ignored: {} };
  const start = resumed ? (saved.next as number) : 0;
  if (start >= Items.length) return result;
  /** The batch's progress: members before `next` are settled and counted; a retry goes on from there. */
  const keep = (next: number) =>
    table.put({ pk, sk, members: Items.length, next, ...result, at: iso(ports.deps.clock.now()) });
  // The first member that failed: the progress kept stops there, members after it are counted on the retry.
  let failedAt: number | undefined;
  let failure: unknown;
  for (let i = start; i < Items.length; i++) {
    const item = Items[i];
    const trigger = audienceTrigger(BatchInput.journey, BatchInput.runAt, item.customerId, item.enterAt);
    try {
      // As of the member's entry time, the same on every attempt: a retry of the batch (after a
      // member's failure, a throttle or a crash) dates an `ignored` line as the first attempt did.
      const r = await enterJourney(ports.deps, entry, trigger, Date.parse(trigger.time));
      if (failedAt !== undefined) continue;
      if (r.outcome === 'ignored') result.ignored[r.reason] = (result.ignored[r.reason] ?? 0) + 1;
      else result.entered++;
    } catch (err) {
      if (THROTTLES.has((err as Error)?.name)) {
        await keep(failedAt ?? i);
        throw err;
      }
      failedAt ??= i;
      failure ??= err;
    }
  }
  await keep(failedAt ?? Items.length);
  if (failure) throw failure;
  return result;
}
