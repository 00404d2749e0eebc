/**
 * What the next channel prefills (`GET /customers/{id}/context`): the current session with its
 * channel hops and elapsed time, and the context carried by hand-offs — the latest value of each
 * field first — so a call-center agent never asks the customer to repeat themselves.
 */
import { DEFAULT_SESSION_TIMEOUT_SECONDS, sessionTimeoutSeconds } from '../journey/escalation-rules';
import { keys } from '../store/keys';
import type { Deps } from './ports';
import { currentSession, isLive, sessionFacts } from './sessions';

export interface HandoffView {
  at: string;
  to: string;
  reason?: string;
  carried: Record<string, unknown>;
  journey: string;
  step: string;
}

export interface CustomerContext {
  customerId: string;
  session?: {
    sessionId: string;
    /** A session that went quiet is shown for what it held, with no elapsed time: nothing escalates on it. */
    live: boolean;
    startedAt: string;
    lastTouchpointAt: string;
    elapsedSeconds: number;
    channels: string[];
    hops: string[];
    touchpoints: number;
  };
  /** Carried fields merged over the hand-offs shown, the newest winning. */
  carried: Record<string, unknown>;
  /** Newest first: those of the current session, or the latest ones when there is none. */
  handoffs: HandoffView[];
}

/**
 * The session timeout the context reads the session with, so that the elapsed time the agent sees
 * is the one escalation rules and conditions saw: that of the journey of the newest hand-off;
 * without one, the one the engine's journeys share, else the default.
 */
function contextTimeout(deps: Pick<Deps, 'catalog'>, handoffJourney: string | undefined): number {
  const handedOver = handoffJourney ? deps.catalog.get(handoffJourney)?.journey : undefined;
  if (handedOver) return sessionTimeoutSeconds(handedOver);
  const used = new Set(deps.catalog.all().map((e) => sessionTimeoutSeconds(e.journey)));
  return used.size === 1 ? [...used][0] : DEFAULT_SESSION_TIMEOUT_SECONDS;
}

/** The hand-off context of a customer now. */
export async function customerContext(
  deps: Pick<Deps, 'table' | 'clock' | 'catalog'>,
  customerId: string,
  limit = 10,
): Promise<CustomerContext> {
  const now = deps.clock.now();
  const page = await deps.table.query(keys.customer(customerId), {
    prefix: keys.handoffPrefix,
    newestFirst: true,
    limit: 50,
  });
  const all = page.items
    .filter((i) => typeof i.expiresAt !== 'number' || i.expiresAt * 1000 > now)
    .map((i) => ({
      at: i.at as string,
      to: i.to as string,
      ...(i.reason ? { reason: i.reason as string } : {}),
      carried: (i.carried as Record<string, unknown>) ?? {},
      journey: i.journey as string,
      step: i.step as string,
    }));
  const session = await currentSession(deps.table, customerId, contextTimeout(deps, all[0]?.journey));
  const inSession = session ? all.filter((h) => Date.parse(h.at) >= session.firstAt) : [];
  const handoffs = (inSession.length ? inSession : all).slice(0, limit);
  const carried: Record<string, unknown> = {};
  for (const h of [...handoffs].reverse()) Object.assign(carried, h.carried);
  return {
    customerId,
    ...(session
      ? {
          session: {
            sessionId: session.sessionId,
            live: isLive(session, now),
            startedAt: new Date(session.firstAt).toISOString(),
            lastTouchpointAt: new Date(session.lastAt).toISOString(),
            elapsedSeconds: sessionFacts(session, now).elapsedSeconds,
            channels: session.channels,
            hops: session.hops,
            touchpoints: session.touchpoints,
          },
        }
      : {}),
    carried,
    handoffs,
  };
}
