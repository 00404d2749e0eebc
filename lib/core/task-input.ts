/** What the compiled state machine passes to every handler (see lib/journey/compile.ts taskBase). */
export interface TaskBase {
  journey: string;
  version: number;
  step: string;
  instance: string;
  customerId: string;
}

export interface ParkInput extends TaskBase {
  token: string;
  event: string;
  match: Record<string, unknown>;
  timeoutSeconds: number;
}

export interface FinishInput extends TaskBase {
  reason: 'completed' | 'failed';
  error?: string;
}

export interface EvaluateInput extends TaskBase {
  conditions: string[];
  trigger: unknown;
  context: unknown;
  events: unknown;
}

export interface SendInput extends TaskBase {
  visit: string;
  channels: ('sms' | 'email')[];
  template: string;
  purpose: 'marketing' | 'transactional';
  timezone?: string;
  quietHours?: { start: string; end: string; action: 'defer' | 'skip' };
  trigger: Record<string, unknown>;
  context: Record<string, unknown>;
}

export type SendOutput =
  | { outcome: 'sent'; messageId: string; channel: string }
  | { outcome: 'suppressed'; reason: string; messageId: string }
  | { outcome: 'deferred'; resumeAt: string }
  | { outcome: 'failed'; reason: string; messageId: string };
