/**
 * The backtest's inputs, generated deterministically (a seeded generator: the same arguments always
 * write the same bytes): an events file in time order, written as it is generated (never held
 * whole), and a profiles file. Each customer browses in sessions spread over the span: page views
 * with a session id (touchpoints), some ending in an abandoned checkout (some below the cart
 * journey's `where`), some carts ordered later (before the nudge: the goal; after it: the waitFor),
 * opens of the nudge email whose message id is predicted as the engine derives it, and direct
 * orders. Sessions of all customers interleave; a heap keyed by each customer's next event time
 * merges them, so memory holds only what each customer has planned next.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { instanceId, messageId } from '../lib/core/ids';

const ZONES = ['America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Europe/London', 'Europe/Berlin'];
const HOUR = 3_600_000;
const MINUTE = 60_000;

/** mulberry32: a small seeded generator, so every run writes the same file. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BacktestInputs {
  customers: number;
  events: number;
  /** The first instant events may have (ms). */
  start: number;
  /** How long the events span (ms). */
  spanMs: number;
}

interface Planned {
  at: number;
  line: string;
}

/** What one customer does next: the events of the sessions begun so far, and when the next begins. */
interface Customer {
  index: number;
  id: string;
  zone: string;
  rand: () => number;
  sessions: number;
  nextSession: number;
  planned: Planned[];
  nextAt: number;
}

const customerId = (i: number) => `c-${String(i).padStart(6, '0')}`;

/** The local hour of an instant in a zone. */
function localHour(ms: number, zone: string, cache: Map<string, Intl.DateTimeFormat>): number {
  let f = cache.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', hourCycle: 'h23' });
    cache.set(zone, f);
  }
  return Number(f.format(ms));
}

/** Write the profiles of `customers` customers, one JSON object a line. */
export async function writeBacktestProfiles(file: string, customers: number): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < customers; i++) {
    const rand = random(i * 7919 + 1);
    const withPhone = rand() < 0.7;
    const profile = {
      customerId: customerId(i),
      email: `customer${i}@example.com`,
      ...(withPhone ? { phone: `+1555${String(i).padStart(7, '0')}` } : {}),
      timezone: ZONES[i % ZONES.length],
      locale: 'en-US',
      preferredChannel: withPhone && rand() < 0.3 ? 'sms' : 'email',
      consent: { email: rand() < 0.9 ? 'opted_in' : 'opted_out', sms: rand() < 0.6 ? 'opted_in' : 'opted_out' },
      attributes: { tier: ['gold', 'silver', 'bronze'][i % 3] },
    };
    if (!out.write(`${JSON.stringify(profile)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/**
 * Write `events` events of `customers` customers in time order, over about `spanMs` from `start`.
 * Returns how many events of each type it wrote.
 */
export async function writeBacktestEvents(file: string, inputs: BacktestInputs): Promise<Record<string, number>> {
  const { customers, events, start, spanMs } = inputs;
  // Sessions per customer so that `events` events fill the span: about 5.3 events a session.
  const sessionGap = (spanMs * customers * 5.3) / events;
  const zones = new Map<string, Intl.DateTimeFormat>();
  const counts: Record<string, number> = {};
  let seq = 0;
  const line = (c: Customer, at: number, type: string, channel: string, extra: object = {}): Planned => {
    counts[type] = (counts[type] ?? 0) + 1;
    const event = { id: `e-${c.index}-${seq++}`, type, customerId: c.id, channel, time: new Date(at).toISOString() };
    return { at, line: JSON.stringify({ ...event, ...extra }) };
  };
  const plan = (c: Customer) => {
    const at = c.nextSession;
    const k = c.sessions++;
    c.nextSession = at + sessionGap * (0.2 + 1.6 * c.rand());
    const channel = c.rand() < 0.7 ? 'web' : 'app';
    const sessionId = `s-${c.index}-${k}`;
    let t = at;
    const views = 1 + Math.floor(c.rand() * 7);
    for (let v = 0; v < views; v++) {
      c.planned.push(
        line(c, t, 'page.viewed', channel, { sessionId, data: { page: `/p/${Math.floor(c.rand() * 500)}` } }),
      );
      t += 30_000 + Math.floor(c.rand() * 150_000);
    }
    const cartId = `k-${c.index}-${k}`;
    const r = c.rand();
    if (r < 0.35) {
      // An abandoned checkout; one in seven below the journey's `where` (a value under 20).
      const value = c.rand() < 1 / 7 ? 1 + Math.floor(c.rand() * 19) : 20 + Math.floor(c.rand() * 280);
      c.planned.push(line(c, t, 'checkout.abandoned', channel, { sessionId, data: { cartId, value } }));
      if (value >= 20) {
        const nudgeAt = t + HOUR;
        const fate = c.rand();
        if (fate < 0.3) {
          // Ordered later: within the hour (the goal), within the day (the waitFor), or too late.
          const after = 10 * MINUTE + Math.floor(c.rand() * 30 * HOUR);
          c.planned.push(
            line(c, t + after, 'order.placed', channel, { data: { cartId, orderId: `o-${c.index}-${k}` } }),
          );
        } else if (fate < 0.51) {
          // The nudge email opened, when it went out at once (not held by quiet hours): its id is
          // the engine's, from the instance and the moment the nudge step was entered.
          const hour = localHour(nudgeAt, c.zone, zones);
          if (hour >= 8 && hour < 21) {
            const instance = instanceId('cart-recovery', c.id, [cartId]);
            const id = messageId(instance, 'nudge', new Date(nudgeAt).toISOString());
            const openedAt = nudgeAt + 5 * MINUTE + Math.floor(c.rand() * 55 * MINUTE);
            c.planned.push(line(c, openedAt, 'message.opened', 'email', { data: { messageId: id } }));
          }
        }
      }
    } else if (r < 0.45) {
      c.planned.push(
        line(c, t, 'order.placed', channel, { sessionId, data: { cartId, orderId: `o-${c.index}-${k}` } }),
      );
    }
    c.planned.sort((a, b) => a.at - b.at);
  };
  const nextAt = (c: Customer) => Math.min(c.planned[0]?.at ?? Number.POSITIVE_INFINITY, c.nextSession);

  const heap = new CustomerHeap();
  for (let i = 0; i < customers; i++) {
    const rand = random(i * 104729 + 7);
    const c: Customer = {
      index: i,
      id: customerId(i),
      zone: ZONES[i % ZONES.length],
      rand,
      sessions: 0,
      nextSession: start + Math.floor(rand() * sessionGap),
      planned: [],
      nextAt: 0,
    };
    c.nextAt = nextAt(c);
    heap.push(c);
  }
  const out = createWriteStream(file);
  for (let written = 0; written < events; ) {
    const c = heap.pop()!;
    if (c.planned.length && c.planned[0].at <= c.nextSession) {
      const e = c.planned.shift()!;
      if (!out.write(`${e.line}\n`)) await once(out, 'drain');
      written++;
    } else plan(c);
    c.nextAt = nextAt(c);
    heap.push(c);
  }
  out.end();
  await once(out, 'finish');
  return counts;
}

/** Customers by their next event time (then index, so ties break the same way every run). */
class CustomerHeap {
  private readonly h: Customer[] = [];
  push(c: Customer): void {
    const h = this.h;
    h.push(c);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!first(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
  pop(): Customer | undefined {
    const h = this.h;
    const top = h[0];
    const last = h.pop();
    if (h.length && last) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && first(h[l], h[m])) m = l;
        if (r < h.length && first(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

function first(a: Customer, b: Customer): boolean {
  return a.nextAt < b.nextAt || (a.nextAt === b.nextAt && a.index < b.index);
}
