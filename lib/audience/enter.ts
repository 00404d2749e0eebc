/**
 * The `enter` op of a run: one batch of members enters the journey, each with the run's trigger
 * (SPEC §6). Entry is idempotent per (journey, customer, runAt), so a batch retried after a
 * throttle, a failure or a crash enters nobody twice: a member entered by an earlier attempt is a
 * `duplicate`, counted as entered in this run. Entry rules apply as for events, with `ignored`
 * lines and reasons.
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
  const result: EnterResult = { entered: 0, ignored: {} };
  let failure: unknown;
  for (const item of Items) {
    const trigger = audienceTrigger(BatchInput.journey, BatchInput.runAt, item.customerId, item.enterAt);
    try {
      const r = await enterJourney(ports.deps, entry, trigger);
      if (r.outcome === 'ignored') result.ignored[r.reason] = (result.ignored[r.reason] ?? 0) + 1;
      else result.entered++;
    } catch (err) {
      if (THROTTLES.has((err as Error)?.name)) throw err;
      failure ??= err;
    }
  }
  if (failure) throw failure;
  // The batch's counts, whole: a retry of it writes the same record again.
  await ports.deps.table.put({
    pk: keys.audience(BatchInput.journey),
    sk: keys.audienceBatch(BatchInput.runAt, digest(Items[0]?.customerId ?? '').slice(0, 16)),
    members: Items.length,
    ...result,
    at: iso(ports.deps.clock.now()),
  });
  return result;
}
