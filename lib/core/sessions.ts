/**
 * Cross-channel sessions (SPEC §3): every event with a `sessionId` is a touchpoint, and the
 * customer's current session is the one of their latest touchpoint. Escalation rules, `session.*`
 * conditions and the hand-off context read it.
 *
 * Event time vs engine time. A touchpoint happened at its event's `time`, clamped to the engine
 * clock so that a source whose clock runs ahead never makes elapsed time negative. A session is
 * live while its touchpoints are at most the timeout apart and its last one is at most the timeout
 * old by the engine clock, and only a live session is seen by rules and conditions: a backdated
 * event (a tour replayed days later, a store's overnight batch) belongs to a session that went
 * quiet long ago, so it never escalates anything. Arrival order cannot rewrite the past either: a
 * touchpoint that arrives after its session went quiet starts a new session under the same id,
 * and a late one (older than the timeout when it arrives) is recorded but never extends or
 * revives a live session. Elapsed time runs from the first touchpoint of the live session.
 *
 * Journeys may set their own timeout (`settings.sessionTimeout`), so a session keeps one segment
 * per timeout the engine's journeys use: its current run of touchpoints under that timeout.
 */

import { DEFAULT_SESSION_TIMEOUT_SECONDS, sessionTimeoutSeconds } from '../journey/escalation-rules';
import type { Journey } from '../journey/schema';
import { keys } from '../store/keys';
import type { Table } from '../store/port';
import { when } from '../store/port';
import type { Envelope } from './envelope';

/** A session's current run of touchpoints under one timeout. */
export interface Segment {
  /** Event times (ms), clamped to the engine clock when the touchpoint arrived. */
  firstAt: number;
  lastAt: number;
  channels: string[];
  touchpoints: number;
  /** Channels in the order the customer moved between them. */
  hops: string[];
  /** Touchpoints that arrived older than the timeout while the run was live: kept count of, not counted. */
  late: number;
}

/** A session as a journey reads it: its segment under that journey's timeout. */
export interface Session extends Segment {
  sessionId: string;
  timeoutSeconds: number;
}

/** What `session.*` paths and escalation rules see. */
export interface SessionFacts {
  elapsedSeconds: number;
  channels: number;
  touchpoints: number;
}

const MAX_ATTEMPTS = 20;
const NO_SESSION: SessionFacts = { elapsedSeconds: 0, channels: 0, touchpoints: 0 };

/** The session item stayed contended through every attempt; the event is retried whole. */
export class SessionContendedError extends Error {
  override readonly name = 'SessionContendedError';
  constructor(sessionId: string) {
    super(`session ${sessionId} is too contended; the event will be retried`);
  }
}

/** The timeouts sessions are segmented by: the default and every one these journeys set, in seconds. */
export function sessionTimeoutsOf(journeys: readonly Pick<Journey, 'settings'>[]): number[] {
  return [...new Set([DEFAULT_SESSION_TIMEOUT_SECONDS, ...journeys.map(sessionTimeoutSeconds)])].sort((a, b) => a - b);
}

/**
 * One touchpoint added to a segment, arriving at engine time `now` (see the top of this file).
 * A late touchpoint may still fill in the history of a session that went quiet — it can never
 * make it live, its time being older than the timeout — so the hand-off context shows it.
 */
export function addTouchpoint(
  segment: Segment | undefined,
  touchpoint: { at: number; channel: string },
  now: number,
  timeoutMs: number,
): Segment {
  const fresh: Segment = {
    firstAt: touchpoint.at,
    lastAt: touchpoint.at,
    channels: [touchpoint.channel],
    touchpoints: 1,
    hops: [touchpoint.channel],
    late: 0,
  };
  if (!segment) return fresh;
  const live = now - segment.lastAt <= timeoutMs;
  const late = now - touchpoint.at > timeoutMs;
  if (!late) return live ? merged(segment, touchpoint) : fresh;
  if (live) return { ...segment, late: segment.late + 1 };
  if (touchpoint.at - segment.lastAt > timeoutMs) return fresh;
  if (segment.firstAt - touchpoint.at > timeoutMs) return { ...segment, late: segment.late + 1 };
  return merged(segment, touchpoint);
}

function merged(segment: Segment, touchpoint: { at: number; channel: string }): Segment {
  const { at, channel } = touchpoint;
  return {
    ...segment,
    firstAt: Math.min(segment.firstAt, at),
    lastAt: Math.max(segment.lastAt, at),
    channels: segment.channels.includes(channel) ? segment.channels : [...segment.channels, channel],
    touchpoints: segment.touchpoints + 1,
    hops: segment.hops.at(-1) === channel ? segment.hops : [...segment.hops, channel],
  };
}

/**
 * Count a touchpoint in its session under each of `timeouts` (seconds; idempotent per event id)
 * and make the session current. `now` is the engine clock at arrival. Returns whether the event
 * was a touchpoint.
 */
export async function recordTouchpoint(
  table: Table,
  event: Envelope,
  opts: { now: number; timeouts: readonly number[] },
): Promise<boolean> {
  if (!event.sessionId) return false;
  const pk = keys.customer(event.customerId);
  const sk = keys.session(event.sessionId);
  // Event time, but never ahead of the engine clock: elapsed time is never negative.
  const at = Math.min(Date.parse(event.time), opts.now);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const item = await table.get(pk, sk);
    const seen = (item?.eventIds as string[] | undefined) ?? [];
    if (seen.includes(event.id)) {
      // Counted before, maybe by a delivery that died before moving the pointer: move it now.
      await makeCurrent(table, pk, event.sessionId, at);
      return true;
    }
    const before = (item?.segments as Record<string, Segment> | undefined) ?? {};
    // Timeouts no journey uses any more are dropped; one a new journey brings starts here.
    const segments = Object.fromEntries(
      opts.timeouts.map((t) => [
        String(t),
        addTouchpoint(before[String(t)], { at, channel: event.channel }, opts.now, t * 1000),
      ]),
    );
    const v = (item?.v as number | undefined) ?? 0;
    const written = await table.put(
      { pk, sk, sessionId: event.sessionId, segments, eventIds: [...seen, event.id].slice(-200), v: v + 1 },
      item ? { if: when.equals('v', v) } : { ifAbsent: true },
    );
    if (!written) continue;
    await makeCurrent(table, pk, event.sessionId, at);
    return true;
  }
  throw new SessionContendedError(event.sessionId);
}

/** Point the customer's current session at this one, unless a later touchpoint already moved it on. */
async function makeCurrent(table: Table, pk: string, sessionId: string, at: number): Promise<void> {
  await table.update(
    pk,
    keys.currentSession,
    { set: { sessionId, lastAt: at } },
    { if: when.any(when.absent('lastAt'), when.atMost('lastAt', at)) },
  );
}

/**
 * The customer's current session as a journey with this timeout (seconds) reads it, if they have
 * one. A timeout no journey used when the touchpoints came (a journey loaded since) reads the
 * default's segment until the next touchpoint.
 */
export async function currentSession(
  table: Table,
  customerId: string,
  timeoutSeconds: number,
): Promise<Session | undefined> {
  const pk = keys.customer(customerId);
  const pointer = await table.get(pk, keys.currentSession);
  if (!pointer) return undefined;
  const sessionId = pointer.sessionId as string;
  const segments = (await table.get(pk, keys.session(sessionId)))?.segments as Record<string, Segment> | undefined;
  const segment = segments?.[String(timeoutSeconds)] ?? segments?.[String(DEFAULT_SESSION_TIMEOUT_SECONDS)];
  return segment ? { ...segment, sessionId, timeoutSeconds } : undefined;
}

/** Whether the session is live at `now`: its last touchpoint is at most its timeout old. */
export function isLive(session: Session, now: number): boolean {
  return now - session.lastAt <= session.timeoutSeconds * 1000;
}

/** The facts of a session at `now`: those of no session unless it is live. */
export function sessionFacts(session: Session | undefined, now: number): SessionFacts {
  if (!session || !isLive(session, now)) return NO_SESSION;
  return {
    elapsedSeconds: Math.max(0, Math.floor((now - session.firstAt) / 1000)),
    channels: session.channels.length,
    touchpoints: session.touchpoints,
  };
}
