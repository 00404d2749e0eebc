/**
 * The step handler: small operations a journey asks of Baton's own data — evaluate conditions
 * over the profile, write profile attributes, compute a local time, note, and finish.
 */
import { decideSplit } from '../results/split';
import { countVisits, withPassed } from '../results/visits';
import { getProfile, setAttributes } from '../store/profiles';
import { escalationCheck } from './escalation';
import { evaluateBranch, lookupBindings } from './evaluate';
import { finish } from './finish';
import { evaluate } from './jsonata';
import type { Deps } from './ports';
import type { LocalTimeInput, NoteInput, StepInput, UpdateInput } from './task-input';
import { iso, recordNote } from './timeline';
import { nextLocalTime } from './zoned-time';

/**
 * Run one step operation; then count the step visits the call carries (lib/results/visits.ts),
 * with, for a branch, the case it chose (a split counts its own, with its path's entry).
 */
export async function runStep(deps: Deps, input: StepInput): Promise<unknown> {
  switch (input.op) {
    case 'evaluate': {
      const chosen = await evaluateBranch(deps, input);
      const route = chosen.case >= 0 ? String(chosen.case) : 'default';
      return withPassed(input, chosen, await countVisits(deps, input, { route }));
    }
    case 'update': {
      const updated = await updateProfile(deps, input);
      return withPassed(input, updated, await countVisits(deps, input, { route: 'next' }));
    }
    case 'localTime':
      return counted(deps, input, await localTime(deps, input));
    case 'note':
      return counted(deps, input, await note(deps, input));
    case 'finish':
      // Counted before the exit line (once the instance has ended, what it passed is still counted).
      return finish(deps, input);
    case 'escalation':
      return counted(deps, input, await escalationCheck(deps, input));
    case 'split':
      return decideSplit(deps, input);
    default: {
      const never: never = input;
      throw new Error(`unknown step operation ${JSON.stringify(never)}`);
    }
  }
}

/** A result, once the visits its call carries are counted. */
async function counted<T>(deps: Deps, input: StepInput, result: T): Promise<T> {
  await countVisits(deps, input);
  return result;
}

/** Write profile attributes; expressions see the same data as branch conditions. */
async function updateProfile(deps: Deps, input: UpdateInput): Promise<{ updated: string[] }> {
  const bindings = await lookupBindings(deps, input);
  const values: Record<string, unknown> = {};
  for (const [attr, expr] of Object.entries(input.set)) values[attr] = await evaluate(expr, bindings);
  await setAttributes(deps.table, input.customerId, values, deps.clock.now());
  return { updated: Object.keys(values) };
}

/** The next time the customer's clock (else the journey's zone, else UTC) shows `at`. */
async function localTime(deps: Deps, input: LocalTimeInput): Promise<{ resumeAt: string }> {
  const profile = await getProfile(deps.table, input.customerId);
  const zone = profile?.timezone ?? input.timezone ?? 'UTC';
  return { resumeAt: iso(nextLocalTime(deps.clock.now(), zone, input.at)) };
}

/** A timeline note, such as a wait whose time had already passed. */
async function note(deps: Deps, input: NoteInput): Promise<{ noted: true }> {
  await recordNote(deps, input, input.note);
  return { noted: true };
}
