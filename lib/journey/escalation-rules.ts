/** Escalation rules in the form compiled into the state machine (durations in seconds). */
import { durationSeconds } from './duration';
import type { Journey } from './schema';

export interface CompiledRule {
  id: string;
  goto: string;
  sessionElapsedSeconds?: number;
  channelsUsed?: number;
  touchpoints?: number;
}

/** How long a session stays live after its last touchpoint when a journey does not say: PT30M (SPEC §3). */
export const DEFAULT_SESSION_TIMEOUT_SECONDS = 1800;
/** The longest `settings.sessionTimeout`: a session is a visit; a day-old chat is not one. */
export const MAX_SESSION_TIMEOUT_SECONDS = 86_400;

/** A journey's escalation rules, compiled. */
export function compiledRules(rules: Journey['escalation']): CompiledRule[] {
  return (rules ?? []).map((r) => ({
    id: r.id,
    goto: r.goto,
    ...(r.when.sessionElapsed ? { sessionElapsedSeconds: durationSeconds(r.when.sessionElapsed) } : {}),
    ...(r.when.channelsUsed ? { channelsUsed: r.when.channelsUsed } : {}),
    ...(r.when.touchpoints ? { touchpoints: r.when.touchpoints } : {}),
  }));
}

/** The session timeout a journey reads sessions with, in seconds (the default when it sets none). */
export function sessionTimeoutSeconds(journey: Pick<Journey, 'settings'> | undefined): number {
  const given = journey?.settings?.sessionTimeout;
  return (given && durationSeconds(given)) || DEFAULT_SESSION_TIMEOUT_SECONDS;
}

/**
 * What a compiled task passes so that its handler reads sessions as its journey version does:
 * the timeout when the journey sets one (the default is the handler's, and stays out of the ASL).
 */
export function sessionSettings(journey: Pick<Journey, 'settings'>): { sessionTimeoutSeconds?: number } {
  return journey.settings?.sessionTimeout ? { sessionTimeoutSeconds: sessionTimeoutSeconds(journey) } : {};
}
