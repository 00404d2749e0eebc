/**
 * Cross-channel sessions: every event with a `sessionId` is a touchpoint. A session keeps its first
 * and last touchpoint time, the channels used, the touchpoint count and the ordered channel hops;
 * the customer's current session is the one of their latest touchpoint. Escalation rules and
 * `session.*` conditions read it.
 */
import { keys } from '../store/keys';
import type { Table } from '../store/table';
import type { Envelope } from './envelope';

export interface Session {
  sessionId: string;
  firstAt: number;
  lastAt: number;
  channels: string[];
  touchpoints: number;
  /** Channels in the order the customer moved between them. */
  hops: string[];
}

/** What `session.*` paths and escalation rules see. */
export interface SessionFacts {
  elapsedSeconds: number;
  channels: number;
  touchpoints: number;
}

const MAX_ATTEMPTS = 20;

/** Count a touchpoint in its session (idempotent per event id) and make it the current session. */
export async function recordTouchpoint(table: Table, event: Envelope): Promise<Session | undefined> {
  if (!event.sessionId) return undefined;
  const pk = keys.customer(event.customerId);
  const sk = keys.session(event.sessionId);
  const at = Date.parse(event.time);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const item = await table.get(pk, sk);
    const seen = (item?.eventIds as string[] | undefined) ?? [];
    const current = item?.session as Session | undefined;
    if (seen.includes(event.id) && current) {
      // Counted before, maybe by a delivery that died before moving the pointer: move it now.
      await makeCurrent(table, pk, event.sessionId, at);
      return current;
    }
    const session: Session = current
      ? {
          ...current,
          firstAt: Math.min(current.firstAt, at),
          lastAt: Math.max(current.lastAt, at),
          channels: current.channels.includes(event.channel) ? current.channels : [...current.channels, event.channel],
          touchpoints: current.touchpoints + 1,
          hops: current.hops.at(-1) === event.channel ? current.hops : [...current.hops, event.channel],
        }
      : {
          sessionId: event.sessionId,
          firstAt: at,
          lastAt: at,
          channels: [event.channel],
          touchpoints: 1,
          hops: [event.channel],
        };
    const v = (item?.v as number | undefined) ?? 0;
    const written = await table.put(
      { pk, sk, session, eventIds: [...seen, event.id].slice(-200), v: v + 1 },
      item ? { condition: { expression: '#v = :v', names: { '#v': 'v' }, values: { ':v': v } } } : { ifAbsent: true },
    );
    if (!written) continue;
    await makeCurrent(table, pk, event.sessionId, at);
    return session;
  }
  throw new Error('session is too contended; the event will be retried');
}

/** Point the customer's current session at this one, unless a later touchpoint already moved it on. */
async function makeCurrent(table: Table, pk: string, sessionId: string, at: number): Promise<void> {
  await table.update(pk, keys.currentSession, {
    set: { sessionId, lastAt: at },
    condition: {
      expression: 'attribute_not_exists(#at) OR #at <= :at',
      names: { '#at': 'lastAt' },
      values: { ':at': at },
    },
  });
}

/** The customer's current session, if they have one. */
export async function currentSession(table: Table, customerId: string): Promise<Session | undefined> {
  const pk = keys.customer(customerId);
  const pointer = await table.get(pk, keys.currentSession);
  if (!pointer) return undefined;
  return (await table.get(pk, keys.session(pointer.sessionId as string)))?.session as Session | undefined;
}

/** The facts of a session at `now` (none: an empty session). */
export function sessionFacts(session: Session | undefined, now: number): SessionFacts {
  if (!session) return { elapsedSeconds: 0, channels: 0, touchpoints: 0 };
  return {
    elapsedSeconds: Math.max(0, Math.floor((now - session.firstAt) / 1000)),
    channels: session.channels.length,
    touchpoints: session.touchpoints,
  };
}
