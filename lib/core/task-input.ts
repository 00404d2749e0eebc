import type { Keep } from '../journey/reads';
import type { Counted } from '../results/visits';

/** What the compiled state machine passes to every handler (see lib/journey/compile.ts taskBase). */
export interface TaskBase {
  journey: string;
  version: number;
  step: string;
  instance: string;
  customerId: string;
  /** The step visits this call counts (lib/journey/compile-visits.ts); absent in a document compiled before. */
  counted?: Counted;
}

export interface ParkInput extends TaskBase {
  token: string;
  event: string;
  match: Record<string, unknown>;
  /** The fields of the event the journey reads; absent: the whole event. */
  keep?: Keep;
  timeoutSeconds: number;
  /** The pause can be interrupted by an escalation: keep the token where ingest can wake it. */
  wake?: boolean;
}

/** Instance data a handler evaluates expressions over. */
export interface LookupData {
  trigger: Record<string, unknown>;
  context: Record<string, unknown>;
  events: Record<string, unknown>;
  /** The journey's `settings.sessionTimeout` in seconds, when it sets one (`session.*` reads it). */
  sessionTimeoutSeconds?: number;
}

export interface FinishInput extends TaskBase {
  op: 'finish';
  reason: 'completed' | 'failed' | 'holdout';
  /** A failed step's error name, and its cause (a Lambda's JSON, or text). */
  error?: string;
  cause?: string | null;
}

export interface EvaluateInput extends TaskBase, LookupData {
  op: 'evaluate';
  /** JSONata conditions over $trigger, $context, $events, $profile, $messages, $session. */
  conditions: string[];
}

export interface UpdateInput extends TaskBase, LookupData {
  op: 'update';
  /** Attribute → JSONata expression. */
  set: Record<string, string>;
}

export interface LocalTimeInput extends TaskBase {
  op: 'localTime';
  /** HH:MM */
  at: string;
  timezone?: string;
}

export interface NoteInput extends TaskBase {
  op: 'note';
  note: string;
}

export interface EscalationInput extends TaskBase {
  op: 'escalation';
  /** The check's state and entry time: a re-run of the same check after a crash repeats its decision. */
  visit: string;
  rules: import('../journey/escalation-rules').CompiledRule[];
  /** The journey's `settings.sessionTimeout` in seconds, when it sets one. */
  sessionTimeoutSeconds?: number;
  /** When the pause ends (ISO), if known; null or invalid: it has ended. */
  pauseEnd?: string | null;
  /** For a wait untilLocalTime: the time of day, computed in the customer's zone at the first check. */
  untilLocalTime?: string;
  timezone?: string;
  /** The first check of this pause (a passed `until` is noted then). */
  first?: boolean;
  /** The pause is a wait `until`. */
  untilGiven?: boolean;
}

export interface SplitInput extends TaskBase {
  op: 'split';
  /** The paths in order: their weights, and which one is the holdout. */
  paths: { weight: number; holdout?: boolean }[];
  /** split.optimize, in seconds. */
  optimize?: { afterSeconds: number; minPerPath: number };
  /** The journey's goal event: the instance's conversion watcher is told the path. */
  goal?: string;
}

/** What the step handler does: small table operations and evaluations. */
export type StepInput =
  | FinishInput
  | EvaluateInput
  | UpdateInput
  | LocalTimeInput
  | NoteInput
  | EscalationInput
  | SplitInput;

export interface ActionInput extends TaskBase, LookupData {
  op: 'action';
  visit: string;
  target: string;
  /** Field → JSONata expression. */
  payload: Record<string, string>;
}

export interface HandoffInput extends TaskBase {
  op: 'handoff';
  visit: string;
  to: string;
  carry: Record<string, unknown>;
  reason?: unknown;
}

/** What the dispatch handler does: calls to systems outside Baton. */
export type DispatchInput = ActionInput | HandoffInput;

export interface SendInput extends TaskBase {
  visit: string;
  /** Channels and rules in the order tried: sms, email, push, preferred, best. */
  channels: string[];
  template: string;
  purpose: 'marketing' | 'transactional';
  timezone?: string;
  quietHours?: { start: string; end: string; action: 'defer' | 'skip' };
  frequencyCap?: { max: number; perSeconds: number; scope: 'customer' | 'journey' };
  timing?: { best: true; withinSeconds: number };
  /** Set when this visit re-enters the step after a hold: the message is not held again for timing. */
  heldUntil?: string | null;
  trigger: Record<string, unknown>;
  context: Record<string, unknown>;
}

export type SendOutput = (
  | { outcome: 'sent'; messageId: string; channel: string }
  | { outcome: 'suppressed'; reason: string; messageId: string }
  | { outcome: 'deferred'; resumeAt: string; heldStep: string }
  | { outcome: 'failed'; reason: string; messageId: string }
) & {
  /** Whether the step this outcome leads to was counted (null) or not (lib/results/visits.ts). */ passed?: null | '|';
};
