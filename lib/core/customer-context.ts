/**
 * What the next channel prefills (`GET /customers/{id}/context`): the current session with its
 * channel hops and elapsed time, and the context carried by hand-offs — the latest value of each
 * field first — so a call-center agent never asks the customer to repeat themselves.
 */
import { keys } from '../store/keys';
import type { Deps } from './ports';
import { currentSession } from './sessions';

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

/** The hand-off context of a customer now. */
export async function customerContext(
  deps: Pick<Deps, 'table' | 'clock'>,
  customerId: string,
  limit = 10,
): Promise<CustomerContext> {
  const now = deps.clock.now();
  const session = await currentSession(deps.table, customerId);
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
            startedAt: new Date(session.firstAt).toISOString(),
            lastTouchpointAt: new Date(session.lastAt).toISOString(),
            elapsedSeconds: Math.max(0, Math.floor((now - session.firstAt) / 1000)),
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
