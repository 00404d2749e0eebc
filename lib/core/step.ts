/**
 * The step handler: small operations a journey asks of Baton's own data — evaluate conditions
 * over the profile, write profile attributes, compute a local time, note, and finish.
 */
import { getProfile, setAttributes } from '../store/profiles';
import { escalationCheck } from './escalation';
import { evaluateBranch, lookupBindings } from './evaluate';
import { finish } from './finish';
import { evaluate } from './jsonata';
import type { Deps } from './ports';
import type { LocalTimeInput, NoteInput, StepInput, UpdateInput } from './task-input';
import { iso, recordNote } from './timeline';
import { nextLocalTime } from './zoned-time';

/** Run one step operation. */
export async function runStep(deps: Deps, input: StepInput): Promise<unknown> {
  switch (input.op) {
    case 'evaluate':
      return evaluateBranch(deps, input);
    case 'update':
      return updateProfile(deps, input);
    case 'localTime':
      return localTime(deps, input);
    case 'note':
      return note(deps, input);
    case 'finish':
      return finish(deps, input);
    case 'escalation':
      return escalationCheck(deps, input);
    default: {
      const never: never = input;
      throw new Error(`unknown step operation ${JSON.stringify(never)}`);
    }
  }
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
