/** The ports use cases take as arguments (ARCHITECTURE.md decision 6): store, clock, engine, channels. */
import type { Table } from '../store/port';
import type { JourneyCatalog } from './catalog';

/** Milliseconds since the epoch: wall clock in production, virtual in simulate and tests. */
export interface Clock {
  now(): number;
  /** How many times faster than real time it runs (`baton dev --speed`); absent when time is virtual. */
  readonly speed?: number;
}

/** The Step Functions calls Baton makes; AWS SDK errors keep their names (ExecutionAlreadyExists, ...). */
export interface StepFunctionsPort {
  startExecution(p: { stateMachineArn: string; name: string; input: string }): Promise<{ executionArn: string }>;
  sendTaskSuccess(p: { taskToken: string; output: string }): Promise<void>;
  stopExecution(p: { executionArn: string; error?: string; cause?: string }): Promise<void>;
  /**
   * Resolves once more executions may be started without a backlog growing in memory: the local
   * engine's bounded queue (Step Functions has none: it throttles instead).
   */
  room?(): Promise<void>;
}

export interface OutgoingMessage {
  messageId: string;
  channel: 'sms' | 'email' | 'push';
  to: string;
  subject?: string;
  body: string;
  customerId: string;
  journey: string;
  step: string;
  /** Marketing or transactional: SMS providers price and prioritise them differently. */
  purpose?: 'marketing' | 'transactional';
}

/** Delivers one message on one channel; throws a SendError when it could not. */
export interface ChannelSender {
  send(msg: OutgoingMessage): Promise<{ providerMessageId: string }>;
}

export interface Logger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** Everything the use cases may touch. Each use case declares the part it needs. */
export interface Deps {
  table: Table;
  clock: Clock;
  sfn: StepFunctionsPort;
  catalog: JourneyCatalog;
  senders: Record<'sms' | 'email' | 'push', ChannelSender>;
  /** Where actions and hand-offs go. */
  destinations: import('../channels/destinations').DestinationRouter;
  log: Logger;
  /**
   * Locally: delete what only the local runtime holds for a customer — the outbox, the dispatch
   * log, the engine's records of these executions (erasure; on AWS, Step Functions keeps its
   * history and nothing can delete it).
   */
  eraseLocal?: (customerId: string, executionArns: string[]) => Promise<void>;
  /** Locally: make what an erasure deleted unrecoverable from the store's files. */
  purgeErased?: () => Promise<void>;
  /** Called with every timeline entry as it is recorded (simulate prints them). */
  onTimeline?: (entry: import('./timeline').TimelineEntry) => void;
}

/** A logger that says nothing (tests, simulate). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
