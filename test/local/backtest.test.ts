/**
 * A backtest holds memory flat: its events come as a stream, its lines go out while it runs, and
 * its store forgets what no line can depend on any more — with the same lines as a run that
 * reads everything at once and keeps everything.
 */

import { listOutbox } from '../../lib/channels/outbox';
import type { Envelope } from '../../lib/core/envelope';
import type { Profile } from '../../lib/core/profile';
import type { TimelineEntry } from '../../lib/core/timeline';
import type { LocalRuntime } from '../../lib/local/runtime';
import { EventsOutOfOrderError, simulate } from '../../lib/local/simulate';
import { keys } from '../../lib/store/keys';
import { helloJourney, loadValid } from '../helpers';

const DAYS = 30;
const CUSTOMERS = 10;
const journeys = [loadValid('workflows/cart-recovery.json')];

/** Every day, each customer browses, leaves a cart, and every other one orders it. */
function events(): Envelope[] {
  const out: Envelope[] = [];
  const at = (d: number, h: number, m: number) => new Date(Date.UTC(2026, 10, 1 + d, h, m)).toISOString();
  for (let d = 0; d < DAYS; d++) {
    for (let c = 0; c < CUSTOMERS; c++) {
      const customerId = `c-${c}`;
      const sessionId = `s-${c}-${d}`;
      for (let m = 0; m < 3; m++)
        out.push({
          id: `v-${c}-${d}-${m}`,
          type: 'page.viewed',
          customerId,
          channel: 'web',
          time: at(d, 15, m),
          sessionId,
        });
      const cartId = `k-${c}-${d}`;
      const data = { cartId, value: 50 };
      out.push({
        id: `a-${c}-${d}`,
        type: 'checkout.abandoned',
        customerId,
        channel: 'web',
        time: at(d, 15, 5),
        sessionId,
        data,
      });
      if (c % 2 === 0)
        out.push({
          id: `o-${c}-${d}`,
          type: 'order.placed',
          customerId,
          channel: 'web',
          time: at(d, 17, 0),
          data: { cartId },
        });
    }
  }
  return out.sort((a, b) => a.time.localeCompare(b.time));
}

const profiles: Profile[] = Array.from({ length: CUSTOMERS }, (_, c) => ({
  customerId: `c-${c}`,
  email: `c${c}@example.com`,
  phone: `+1555000000${c}`,
  timezone: 'America/New_York',
  consent: { email: 'opted_in', sms: 'opted_in' },
}));

/** The items a run's store holds at its end, by kind. */
async function held(rt: LocalRuntime): Promise<{ total: number; kinds: Record<string, number> }> {
  const kinds: Record<string, number> = {};
  for (const i of await rt.table.scanPrefix('')) {
    const kind = i.pk.startsWith('C#') ? `C ${i.sk.replace(/#.*/, '')}` : i.pk.replace(/#.*/, '');
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return { total: rt.itemCount?.() ?? Number.NaN, kinds };
}

async function* stream(items: Envelope[], pulled: { n: number }): AsyncGenerator<Envelope> {
  for (const e of items) {
    pulled.n++;
    yield e;
  }
}

test('a month of events streamed: the same lines as a run that keeps everything, printed as it goes, from a store that forgot its history', async () => {
  const all = events();
  let kept = { total: 0, kinds: {} as Record<string, number> };
  const everything = await simulate({
    journeys,
    events: all,
    profiles,
    retention: [],
    inspect: async (rt) => {
      kept = await held(rt);
    },
  });

  const printed: TimelineEntry[] = [];
  const pulled = { n: 0 };
  let printedBeforeLastEvent = 0;
  let forgot = { total: 0, kinds: {} as Record<string, number> };
  const backtest = await simulate({
    journeys,
    events: stream(all, pulled),
    profiles,
    onLine: (l) => {
      printed.push(l);
      if (pulled.n < all.length) printedBeforeLastEvent++;
    },
    inspect: async (rt) => {
      forgot = await held(rt);
    },
  });

  expect(backtest.lines).toEqual([]);
  expect(printed).toEqual(everything.lines);
  expect(everything.lines.filter((l) => l.kind === 'sent').length).toBeGreaterThan(DAYS * CUSTOMERS);
  // Lines went out while events were still coming, not at the end.
  expect(printedBeforeLastEvent).toBeGreaterThan(printed.length * 0.9);

  // Kept: each event's record, every printed line, every closed execution, every message in the outbox, every session.
  expect(kept.kinds.E).toBe(all.length);
  expect(kept.kinds['C T']).toBe(printed.length);
  expect(kept.kinds.X).toBeGreaterThan(DAYS * CUSTOMERS * 0.5);
  expect(kept.kinds.OUTBOX).toBeGreaterThan(DAYS * CUSTOMERS);
  expect(kept.kinds['C S']).toBe(DAYS * CUSTOMERS);
  // Forgotten: all but the last day of events, lines and sessions; closed executions and the outbox entirely.
  const lastDay = all.filter((e) => e.time >= all[all.length - 1].time.slice(0, 10)).length;
  expect(forgot.kinds.E).toBeLessThanOrEqual(lastDay);
  expect(forgot.kinds['C T']).toBeLessThanOrEqual(printed.length / (DAYS / 2));
  expect(forgot.kinds['C S']).toBeLessThanOrEqual(CUSTOMERS);
  expect(forgot.kinds.X ?? 0).toBe(0);
  expect(forgot.kinds.OUTBOX ?? 0).toBe(0);
  // What a journey still reads stays: every instance and every message's ledger.
  expect(forgot.kinds['C I']).toBe(kept.kinds['C I']);
  expect(forgot.kinds.M).toBe(kept.kinds.M);
  // Swept from memory, not only hidden from reads: what memory holds beyond what reads see expired in the last hours.
  const visible = (h: { kinds: Record<string, number> }) => Object.values(h.kinds).reduce((a, b) => a + b, 0);
  expect(kept.total).toBe(visible(kept));
  expect(forgot.total - visible(forgot)).toBeLessThanOrEqual(lastDay);
  // The results' counters grow by day and metric, not by event: both runs keep them whole.
  const counters = (h: { kinds: Record<string, number> }) => (h.kinds.R ?? 0) + (h.kinds.RC ?? 0);
  expect(counters(forgot)).toBe(counters(kept));
  expect(forgot.total - counters(forgot)).toBeLessThan((kept.total - counters(kept)) / 2.5);
}, 60_000);

test('a stream whose times go back is refused, naming the event', async () => {
  const at = (m: number) => new Date(Date.UTC(2026, 10, 1, 10, m)).toISOString();
  const e = (id: string, m: number): Envelope => ({
    id,
    type: 'page.viewed',
    customerId: 'c-1',
    channel: 'web',
    time: at(m),
  });
  const run = simulate({ journeys, events: stream([e('a', 5), e('b', 3)], { n: 0 }), profiles: [] });
  await expect(run).rejects.toThrow(EventsOutOfOrderError);
  await expect(simulate({ journeys, events: stream([e('a', 5), e('b', 3)], { n: 0 }), profiles: [] })).rejects.toThrow(
    /event b \(2026-11-01T10:03:00.000Z\) comes after one at 2026-11-01T10:05:00.000Z/,
  );
});

test('a backtest that forgets its outbox writes none: the message is sent and its ledger has the provider id a kept outbox gives', async () => {
  const hello = helloJourney();
  const event: Envelope = {
    id: 'e-1',
    type: 'x.happened',
    customerId: 'c-1',
    channel: 'web',
    time: '2026-11-02T10:20:00Z',
  };
  const customer: Profile = { customerId: 'c-1', email: 'c1@example.com', consent: { email: 'opted_in' } };
  const run = async (retention?: []) => {
    let outbox: unknown[] = [];
    let ledger: Record<string, unknown>[] = [];
    const { lines } = await simulate({
      journeys: [hello],
      events: [event],
      profiles: [customer],
      ...(retention ? { retention } : {}),
      // At the run's last instant: nothing is swept yet, so what is missing was never written.
      inspect: async (rt) => {
        outbox = await listOutbox(rt.table);
        const messageIds = (await rt.table.query(keys.customer('c-1'), { prefix: keys.messageIndex('') })).items;
        ledger = await Promise.all(
          messageIds.map(async (i) => (await rt.table.get(keys.message(i.messageId as string), keys.single))!),
        );
      },
    });
    return { sent: lines.filter((l) => l.kind === 'sent').length, outbox, ledger };
  };
  const backtest = await run();
  const keeping = await run([]);
  expect(backtest.sent).toBe(1);
  expect(keeping.sent).toBe(1);
  expect(keeping.outbox).toHaveLength(1);
  expect(backtest.outbox).toEqual([]);
  const messageId = keeping.ledger[0].messageId as string;
  for (const r of [backtest, keeping])
    expect(r.ledger).toEqual([expect.objectContaining({ status: 'sent', providerMessageId: `outbox-${messageId}` })]);
});
