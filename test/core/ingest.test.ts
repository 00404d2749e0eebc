/**
 * Ingest: reserved events (feedback, consent, stop words), resuming waits, and entry that stays
 * single under duplicates delivered at once.
 */
import { listOutbox } from '../../lib/channels/outbox';
import type { Envelope } from '../../lib/core/envelope';
import { ingest } from '../../lib/core/ingest';
import type { TimelineEntry } from '../../lib/core/timeline';
import { VirtualClock } from '../../lib/engine/clock';
import { type LocalRuntime, startLocalRuntime } from '../../lib/local/runtime';
import { getProfile, putProfile } from '../../lib/store/profiles';
import { HELLO_TEMPLATES, journeyInTempDir, loadValid, readsMessageOf, simpleJourney } from '../helpers';

const T0 = Date.parse('2026-11-20T15:00:00Z');
let rt: LocalRuntime;
let clock: VirtualClock;
const lines: TimelineEntry[] = [];
let seq = 0;

function event(over: Partial<Envelope> & Pick<Envelope, 'type' | 'customerId'>): Envelope {
  return { id: `e-${++seq}`, channel: 'web', time: new Date(clock.now()).toISOString(), ...over };
}

beforeAll(async () => {
  const review = journeyInTempDir(
    simpleJourney({
      id: 'review',
      trigger: { event: 'order.delivered', dedupeBy: ['trigger.data.orderId'] },
      start: 'await',
      steps: {
        await: {
          type: 'waitFor',
          event: 'review.posted',
          match: { orderId: 'trigger.data.orderId' },
          timeout: 'P3D',
          next: 'hello',
          onTimeout: 'done',
        },
        hello: { type: 'send', channel: 'sms', template: 'hello', next: 'check' },
        // Reads the message: its step pointer is kept, and feedback moves its status.
        check: readsMessageOf('hello', 'done'),
        done: { type: 'end' },
      },
    }),
    HELLO_TEMPLATES,
  );
  clock = new VirtualClock(T0);
  rt = await startLocalRuntime({
    journeys: [loadValid(review.file)],
    clock,
    concurrency: 4,
    onTimeline: (e) => lines.push(e),
  });
  for (const id of ['c-1', 'c-2', 'c-3']) {
    await putProfile(
      rt.table,
      { customerId: id, phone: '+15550000001', consent: { sms: 'opted_in' }, attributes: { firstName: 'Pat' } },
      T0,
    );
  }
});
afterAll(async () => {
  await rt.close();
});

async function deliver(e: Envelope) {
  const status = await ingest(rt.deps, e);
  await rt.engine.idle();
  return status;
}

describe('ingest', () => {
  it('starts one instance and sends one message when the same trigger arrives 50 times at once', async () => {
    const trigger = event({ type: 'order.delivered', customerId: 'c-1', data: { orderId: 'o-1' } });
    const statuses = await Promise.all(Array.from({ length: 50 }, () => ingest(rt.deps, { ...trigger })));
    await rt.engine.idle();
    expect(statuses.filter((s) => s === 'accepted').length).toBeGreaterThanOrEqual(1);
    expect(lines.filter((l) => l.kind === 'entered' && l.customerId === 'c-1')).toHaveLength(1);
    // The review arrives: the parked waitFor resumes, one SMS goes out.
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        ingest(rt.deps, event({ id: `r-${i}`, type: 'review.posted', customerId: 'c-1', data: { orderId: 'o-1' } })),
      ),
    );
    await rt.engine.idle();
    expect((await listOutbox(rt.table, { customerId: 'c-1' })).length).toBe(1);
    expect(lines.filter((l) => l.customerId === 'c-1').map((l) => l.kind)).toEqual(['entered', 'sent', 'exited']);
  });

  it('finishes an event whose earlier delivery died half-way, instead of calling it a duplicate', async () => {
    const e = event({ type: 'order.delivered', customerId: 'c-6', data: { orderId: 'o-6' } });
    // What a process killed during ingest leaves behind.
    await rt.table.put({ pk: `E#${e.id}`, sk: '_', status: 'processing', type: e.type });
    await expect(deliver(e)).resolves.toBe('accepted');
    expect(lines.filter((l) => l.customerId === 'c-6').map((l) => l.kind)).toEqual(['entered']);
    await expect(deliver({ ...e })).resolves.toBe('duplicate');
  });

  it('answers duplicate for a redelivered event id', async () => {
    const e = event({ type: 'order.delivered', customerId: 'c-2', data: { orderId: 'o-2' } });
    await expect(deliver(e)).resolves.toBe('accepted');
    await expect(deliver({ ...e })).resolves.toBe('duplicate');
  });

  it('resumes only the wait whose match values agree with the event data', async () => {
    await deliver(event({ type: 'review.posted', customerId: 'c-2', data: { orderId: 'other' } }));
    expect(lines.filter((l) => l.customerId === 'c-2').map((l) => l.kind)).toEqual(['entered']);
    await deliver(event({ type: 'review.posted', customerId: 'c-2', data: { orderId: 'o-2' } }));
    expect(lines.filter((l) => l.customerId === 'c-2').map((l) => l.kind)).toEqual(['entered', 'sent', 'exited']);
  });

  it('records consent.updated with its history, and an SMS stop word opts out at once', async () => {
    await deliver(
      event({
        type: 'consent.updated',
        customerId: 'c-3',
        channel: 'email',
        data: { channel: 'email', status: 'opted_in' },
      }),
    );
    expect((await getProfile(rt.table, 'c-3'))?.consent).toEqual({ sms: 'opted_in', email: 'opted_in' });
    await deliver(event({ type: 'message.replied', customerId: 'c-3', channel: 'sms', data: { text: '  stop ' } }));
    expect((await getProfile(rt.table, 'c-3'))?.consent?.sms).toBe('opted_out');
    const history = await rt.table.queryAll('C#c-3', { prefix: 'CH#' });
    expect(history.map((h) => [h.channel, h.status])).toEqual([
      ['email', 'opted_in'],
      ['sms', 'opted_out'],
    ]);
  });

  it('does not treat an ordinary reply as a stop word', async () => {
    await putProfile(rt.table, { customerId: 'c-4', phone: '+15550000004', consent: { sms: 'opted_in' } }, T0);
    await deliver(
      event({ type: 'message.replied', customerId: 'c-4', channel: 'sms', data: { text: 'stop by tomorrow?' } }),
    );
    expect((await getProfile(rt.table, 'c-4'))?.consent?.sms).toBe('opted_in');
  });

  it('updates a message status from feedback, never downgrading it', async () => {
    const sent = lines.find((l) => l.kind === 'sent' && l.customerId === 'c-2')!;
    await deliver(
      event({ type: 'message.clicked', customerId: 'c-2', channel: 'sms', data: { messageId: sent.messageId } }),
    );
    await deliver(
      event({ type: 'message.delivered', customerId: 'c-2', channel: 'sms', data: { messageId: sent.messageId } }),
    );
    const pointer = await rt.table.get('C#c-2', `MS#${sent.instance}#hello`);
    expect(pointer?.status).toBe('clicked');
  });

  it('takes over a single-entry lock whose holder ended, or whose entry crashed before recording it', async () => {
    const lock = (holder: string) =>
      rt.table.put({ pk: 'C#c-5', sk: 'A#review', instance: holder, lockedAt: clock.now() });
    await lock('i-ended');
    await rt.table.put({
      pk: 'C#c-5',
      sk: 'I#review#i-ended',
      instance: 'i-ended',
      journey: 'review',
      status: 'ended',
    });
    await deliver(event({ type: 'order.delivered', customerId: 'c-5', data: { orderId: 'o-5' } }));
    expect(lines.filter((l) => l.customerId === 'c-5').map((l) => l.kind)).toEqual(['entered']);

    await lock('i-crashed'); // no instance record: a crashed entry
    await deliver(event({ type: 'order.delivered', customerId: 'c-5', data: { orderId: 'o-6' } }));
    expect(lines.filter((l) => l.customerId === 'c-5').map((l) => [l.kind, l.reason])).toEqual([
      ['entered', undefined],
      ['ignored', 'already-active'],
    ]);
    clock.advanceTo(clock.now() + 6 * 60_000);
    await deliver(event({ type: 'order.delivered', customerId: 'c-5', data: { orderId: 'o-7' } }));
    expect(lines.filter((l) => l.customerId === 'c-5').map((l) => l.kind)).toEqual(['entered', 'ignored', 'entered']);
  });
});
