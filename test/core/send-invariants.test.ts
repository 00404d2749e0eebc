/**
 * The invariants of sending, as properties (fast-check): no marketing message inside quiet hours in
 * the recipient's zone (DST edges included), no marketing send to an opted-out channel (opt-outs
 * during a wait included), caps never exceeded by concurrent instances, and never two messages for
 * one step visit whatever retries, redeliveries and crashes happen around the provider call.
 */
import fc from 'fast-check';
import { SendRejectedError, SendThrottledError } from '../../lib/channels/errors';
import { listOutbox, outboxSender } from '../../lib/channels/outbox';
import type { Envelope } from '../../lib/core/envelope';
import type { ChannelSender } from '../../lib/core/ports';
import type { Profile } from '../../lib/core/profile';
import { send } from '../../lib/core/send';
import type { SendInput } from '../../lib/core/task-input';
import { VirtualClock } from '../../lib/engine/clock';
import { type LocalRuntime, startLocalRuntime } from '../../lib/local/runtime';
import { simulate } from '../../lib/local/simulate';
import { putProfile } from '../../lib/store/profiles';
import { helloJourney } from '../helpers';

const ZONES = [
  'America/New_York',
  'America/Los_Angeles',
  'America/St_Johns',
  'Europe/London',
  'Europe/Paris',
  'Australia/Sydney',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'Pacific/Chatham',
  'UTC',
];
const WINDOWS = [
  { start: '21:00', end: '08:00' },
  { start: '22:30', end: '07:15' },
  { start: '13:00', end: '14:00' },
  { start: '00:00', end: '06:00' },
];
/** Instants around the 2026 DST changes of the zones above, and anywhere in the year. */
const DST_DAYS = ['2026-03-08', '2026-03-29', '2026-04-05', '2026-10-04', '2026-10-25', '2026-11-01', '2026-09-27'];
const instant = fc.oneof(
  fc
    .tuple(fc.constantFrom(...DST_DAYS), fc.integer({ min: -36 * 60, max: 36 * 60 }))
    .map(([d, m]) => Date.parse(`${d}T00:00:00Z`) + m * 60_000),
  fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2026-12-31T00:00:00Z') }),
);

/** Wall-clock minutes of the day in a zone, computed independently of the code under test. */
function localMinutes(ms: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return get('hour') * 60 + get('minute');
}
function inWindow(ms: number, zone: string, w: { start: string; end: string }): boolean {
  const m = localMinutes(ms, zone);
  const [s, e] = [w.start, w.end].map((t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3)));
  return s < e ? m >= s && m < e : m >= s || m < e;
}

let rt: LocalRuntime;
let clock: VirtualClock;
const base: Profile = {
  customerId: 'c-0',
  email: 'p@example.com',
  phone: '+15550002222',
  consent: { sms: 'opted_in', email: 'opted_in' },
};
let seq = 0;
function input(over: Partial<SendInput>): SendInput {
  seq++;
  return {
    journey: 'simple',
    version: 1,
    step: 'hello',
    instance: `i-${seq}`,
    customerId: 'c-0',
    visit: new Date(clock.now()).toISOString(),
    channels: ['sms'],
    template: 'hello',
    purpose: 'marketing',
    trigger: {},
    context: {},
    ...over,
  };
}

beforeAll(async () => {
  clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'));
  rt = await startLocalRuntime({
    journeys: [helloJourney()],
    clock,
    concurrency: 1,
  });
});
afterAll(async () => {
  await rt.close();
});

describe('quiet hours', () => {
  it('never lets a marketing message go inside the window in the recipient zone; a held one goes when it opens', async () => {
    await fc.assert(
      fc.asyncProperty(instant, fc.constantFrom(...ZONES), fc.constantFrom(...WINDOWS), async (at, zone, window) => {
        const customerId = `qh-${seq}`;
        await putProfile(rt.table, { ...base, customerId, timezone: zone }, at);
        clock = new VirtualClock(at);
        rt.deps.clock = clock;
        const out = await send(
          rt.deps,
          input({ customerId, quietHours: { ...window, action: 'defer' }, timezone: 'UTC' }),
        );
        if (out.outcome === 'sent') expect(inWindow(at, zone, window)).toBe(false);
        else {
          expect(out.outcome).toBe('deferred');
          const resumeAt = Date.parse((out as { resumeAt: string }).resumeAt);
          expect(inWindow(at, zone, window)).toBe(true);
          expect(resumeAt).toBeGreaterThan(at);
          expect(inWindow(resumeAt, zone, window)).toBe(false);
          // The window opened no more than a day later.
          expect(resumeAt - at).toBeLessThanOrEqual(25 * 3_600_000);
        }
      }),
      { numRuns: 250 },
    );
  });
});

describe('frequency cap', () => {
  it('is never exceeded by concurrent instances', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 4 }), async (n, max) => {
        const customerId = `cap-${seq}`;
        await putProfile(rt.table, { ...base, customerId }, clock.now());
        const outs = await Promise.all(
          Array.from({ length: n }, () =>
            send(rt.deps, input({ customerId, frequencyCap: { max, perSeconds: 86_400, scope: 'journey' } })),
          ),
        );
        expect(outs.filter((o) => o.outcome === 'sent')).toHaveLength(Math.min(n, max));
        expect(await listOutbox(rt.table, { customerId, limit: 100 })).toHaveLength(Math.min(n, max));
      }),
      { numRuns: 30 },
    );
  });
});

describe('exactly one message per step visit', () => {
  type Mode = 'ok' | 'throttle' | 'reject' | 'lost-response' | 'timeout';
  it('holds under any sequence of retries, redeliveries and failures around the provider call', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.array(fc.constantFrom<Mode>('ok', 'throttle', 'reject', 'lost-response', 'timeout'), {
            minLength: 1,
            maxLength: 3,
          }),
          { minLength: 1, maxLength: 4 },
        ),
        async (rounds) => {
          const customerId = `eo-${seq}`;
          await putProfile(rt.table, { ...base, customerId }, clock.now());
          const visit = input({ customerId });
          const outbox = outboxSender(rt.table, clock);
          const provider = (mode: Mode): ChannelSender => ({
            async send(m) {
              if (mode === 'throttle') throw new SendThrottledError('slow down');
              if (mode === 'reject') throw new SendRejectedError('bad number');
              if (mode === 'timeout') throw Object.assign(new Error('socket timeout'), { name: 'TimeoutError' });
              const r = await outbox.send(m);
              if (mode === 'lost-response')
                throw Object.assign(new Error('connection reset after send'), { name: 'ECONNRESET' });
              return r;
            },
          });
          let sentReported = false;
          // Each round: concurrent deliveries of the same visit (a retry racing a redelivery).
          for (const round of rounds) {
            const outs = await Promise.allSettled(
              round.map((mode) =>
                send(
                  { ...rt.deps, senders: { sms: provider(mode), email: provider(mode), push: provider(mode) } },
                  visit,
                ),
              ),
            );
            for (const o of outs) if (o.status === 'fulfilled' && o.value.outcome === 'sent') sentReported = true;
          }
          const delivered = await listOutbox(rt.table, { customerId, limit: 10 });
          expect(delivered.length).toBeLessThanOrEqual(1);
          if (sentReported) expect(delivered).toHaveLength(1);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('consent', () => {
  const journey = () =>
    helloJourney({
      start: 'w',
      steps: {
        w: { type: 'wait', for: 'PT1H', next: 'hello' },
        hello: { type: 'send', channel: 'sms', template: 'hello', next: 'done' },
        done: { type: 'end' },
      },
    });

  it('an opt-out that arrives during the wait stops the marketing SMS; one after it does not recall it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 120 }),
        fc.constantFrom('consent', 'stop-word'),
        async (minute, how) => {
          const t0 = Date.parse('2026-11-20T15:00:00Z');
          const at = new Date(t0 + minute * 60_000).toISOString();
          const optOut: Envelope =
            how === 'consent'
              ? {
                  id: 'o',
                  type: 'consent.updated',
                  customerId: 'c-0',
                  channel: 'web',
                  time: at,
                  data: { channel: 'sms', status: 'opted_out' },
                }
              : {
                  id: 'o',
                  type: 'message.replied',
                  customerId: 'c-0',
                  channel: 'sms',
                  time: at,
                  data: { text: ' Stop ' },
                };
          const { lines } = await simulate({
            journeys: [journey()],
            events: [
              { id: 't', type: 'x.happened', customerId: 'c-0', channel: 'web', time: new Date(t0).toISOString() },
              optOut,
            ],
            profiles: [base],
          });
          const sent = lines.filter((l) => l.kind === 'sent').length;
          // Events come before timers at the same instant: an opt-out at minute 60 wins.
          expect(sent).toBe(minute > 60 ? 1 : 0);
          if (minute <= 60) expect(lines.find((l) => l.kind === 'suppressed')?.reason).toBe('consent');
        },
      ),
      { numRuns: 15 },
    );
  });
});
