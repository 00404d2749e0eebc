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
