/**
 * How a run is named (SPEC §6): its execution name, its input, where its member files go, and the
 * trigger each member enters with. Everything is derived from (journey, version, runAt), so a run
 * started twice is one execution and a member entered twice is one instance.
 */
import type { Envelope } from '../core/envelope';
import { digest } from '../core/ids';

/** The longest execution name Step Functions takes. */
const MAX_NAME = 80;

/** A runAt with the characters execution names and keys cannot have (`:`) replaced. */
function safeRunAt(runAt: string): string {
  return runAt.replace(/:/g, '-');
}

/**
 * The run's execution name: `<journey>-v<version>-<runAt>` (`newsletter-v1-2026-12-03T16-00-00Z`);
 * a journey id too long for 80 characters is cut and told apart by a hash.
 */
export function runExecutionName(journey: string, version: number, runAt: string): string {
  const tail = `-v${version}-${safeRunAt(runAt)}`;
  if (journey.length + tail.length <= MAX_NAME) return `${journey}${tail}`;
  const hash = digest('run', journey).slice(0, 8);
  return `${journey.slice(0, MAX_NAME - tail.length - hash.length - 1)}-${hash}${tail}`;
}

/** The run's execution input: its time, and nothing else. */
export function runInput(runAt: string): string {
  return JSON.stringify({ runAt });
}

/** The key of a run's member file for group `index`. */
export function memberFileKey(journey: string, version: number, runAt: string, index: number): string {
  return `runs/${journey}/v${version}/${safeRunAt(runAt)}/${String(index).padStart(5, '0')}.jsonl`;
}

/** The event type an audience journey's trigger has. */
export const AUDIENCE_RUN_EVENT = 'audience.run';

/**
 * The trigger a member enters with (SPEC §6): `{"id": "<journey>@<runAt>", "type": "audience.run",
 * "time": <entry time>, "data": {"runAt": ...}}`. Entry reads its identity from `data.runAt`.
 */
export function audienceTrigger(journey: string, runAt: string, customerId: string, enterAt: string): Envelope {
  return {
    id: `${journey}@${runAt}`,
    type: AUDIENCE_RUN_EVENT,
    customerId,
    channel: 'audience',
    time: enterAt,
    data: { runAt },
  };
}
