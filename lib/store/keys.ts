/**
 * Key layout of the one table. Everything about a customer shares the partition `C#<customerId>`,
 * so erasure and timelines are one query; ids that arrive alone (messages, events, executions,
 * task tokens) have partitions of their own.
 */
export const keys = {
  customer: (customerId: string) => `C#${customerId}`,
  profile: 'PROFILE',
  /** Consent changes, oldest first. */
  consentHistoryPrefix: 'CH#',
  /** Engagement counts per channel, from feedback. */
  engagement: 'ENGAGEMENT',
  /** A cross-channel session of the customer. */
  session: (sessionId: string) => `S#${sessionId}`,
  /** Which session is the customer's current one. */
  currentSession: 'SESSION',
  /** The task token of a pause that an escalation may interrupt. */
  escalationWake: (instance: string) => `PX#${instance}`,
  escalationWakePrefix: 'PX#',
  /** Marketing sends in a rolling window, for frequency caps. */
  capLog: (scope: string) => `CAP#${scope}`,
  /** Entry counts and the last entry time of a journey, for cooldown and limit. */
  entries: (journey: string) => `N#${journey}`,
  /** A hand-off of an instance. */
  handoff: (at: string, instance: string, step: string) => `H#${at}#${instance}#${step}`,
  handoffPrefix: 'H#',
  /** One journey instance of the customer. */
  instance: (journey: string, instance: string) => `I#${journey}#${instance}`,
  instancePrefix: 'I#',
  /**
   * Present from an instance's entry until it ends: what an event reads to find the instances it
   * may stop (goal, exitOn), so that the read does not grow with the customer's past instances.
   */
  liveInstance: (journey: string, instance: string) => `IL#${journey}#${instance}`,
  liveInstancePrefix: 'IL#',
  /** Held while the customer has an active instance of a `concurrent: single` journey. */
  activeLock: (journey: string) => `A#${journey}`,
  /** A parked waitFor, found by the events of its type. */
  wait: (eventType: string, instance: string, step: string) => `W#${eventType}#${instance}#${step}`,
  waitPrefix: (eventType: string) => `W#${eventType}#`,
  /** The latest message of a send step of an instance, for messages.<step>.* */
  stepMessage: (instance: string, step: string) => `MS#${instance}#${step}`,
  stepMessagePrefix: (instance: string) => `MS#${instance}#`,
  timeline: (at: string, seq: string) => `T#${at}#${seq}`,
  timelinePrefix: 'T#',
  message: (messageId: string) => `M#${messageId}`,
  event: (eventId: string) => `E#${eventId}`,
  /** A partition of the sparse index (gsi1) of events still being processed: one per shard of event ids. */
  pendingEvents: (shard: number) => `EP#${shard}`,
  /** A partition of the sparse index (gsi1) of profiles, which audiences list: one per shard of customer ids. */
  profiles: (shard: number) => `PROFILES#${shard}`,
  /** An audience journey's runs (their members and progress) and, locally, which run starts next. */
  audience: (journey: string) => `AUD#${journey}`,
  /** Locally: the run of the schedule last started. */
  audienceCursor: 'CURSOR',
  audienceRun: (runAt: string) => `R#${runAt}`,
  audienceRunPrefix: 'R#',
  /** The outcome of one batch of a run: counts only, written whole by each attempt. */
  audienceBatch: (runAt: string, batch: string) => `B#${runAt}#${batch}`,
  audienceBatchPrefix: 'B#',
  outbox: 'OUTBOX',
  /** Locally: actions and hand-offs delivered to destinations that are not configured. */
  dispatches: 'DISPATCHES',
  single: '_',
  /** How many times the customer was erased (no personal data: only the count). */
  erasures: 'ERASURES',
  /** Index of the customer's messages in the ledger, for erasure. */
  messageIndex: (messageId: string) => `ML#${messageId}`,
  messageIndexPrefix: 'ML#',
} as const;
