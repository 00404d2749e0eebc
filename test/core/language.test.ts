/**
 * Steps and rules of the journey language end to end: journey JSON → compile → local engine, in
 * virtual time, with the handlers the Lambdas run.
 */
import { ActionFailedError, ActionRejectedError } from '../../lib/channels/destinations';
import { listDispatches } from '../../lib/channels/dispatch-log';
import type { Envelope } from '../../lib/core/envelope';
import { ingest } from '../../lib/core/ingest';
import type { Profile } from '../../lib/core/profile';
import type { TimelineEntry } from '../../lib/core/timeline';
import { VirtualClock } from '../../lib/engine/clock';
import type { LoadedJourney } from '../../lib/journey/load';
import { type LocalRuntime, startLocalRuntime } from '../../lib/local/runtime';
import { simulate } from '../../lib/local/simulate';
import { getProfile, putProfile } from '../../lib/store/profiles';
import { advanceTo, HELLO_TEMPLATES, journeyInTempDir, loadValid, simpleJourney } from '../helpers';

const T0 = '2026-11-20T15:00:00Z';
const ALL_TEMPLATES = { ...HELLO_TEMPLATES, 'hello.push.liquid': 'Hi!' };

function journey(overrides: Record<string, unknown>): LoadedJourney {
  return loadValid(journeyInTempDir(simpleJourney(overrides), ALL_TEMPLATES).file);
}

const pat: Profile = {
  customerId: 'c-1',
  email: 'pat@example.com',
  phone: '+15550001111',
  pushEndpoint: 'arn:aws:sns:us-east-1:123456789012:endpoint/APNS/app/device-1',
  timezone: 'Europe/Paris',
  consent: { email: 'opted_in', sms: 'opted_in', push: 'opted_in' },
  attributes: { firstName: 'Pat' },
};

function trigger(over: Partial<Envelope> = {}): Envelope {
  return { id: `t-${Math.random()}`, type: 'x.happened', customerId: 'c-1', channel: 'web', time: T0, ...over };
}

async function run(j: LoadedJourney, events: Envelope[], profiles: Profile[] = [pat]) {
  return (await simulate({ journeys: [j], events, profiles })).lines;
}

const kinds = (lines: TimelineEntry[]) => lines.map((l) => [l.kind, l.step ?? l.reason ?? ''].join(':'));

/** Wait until the time the trigger carries, then send. */
const waitUntilJourney = () =>
  journey({
    start: 'w',
    steps: {
      w: { type: 'wait', until: 'trigger.data.at', next: 'hello' },
      hello: { type: 'send', channel: 'email', template: 'hello', next: 'done' },
      done: { type: 'end' },
    },
  });

describe('wait', () => {
  it('waits until a time carried by the trigger', async () => {
    const j = waitUntilJourney();
    const lines = await run(j, [trigger({ id: 't-1', data: { at: '2026-11-25T09:30:00+01:00' } })]);
    expect(lines.find((l) => l.kind === 'sent')?.at).toBe('2026-11-25T08:30:00.000Z');
  });

  it('continues at once when the time has passed or is missing, and never fails the instance', async () => {
    const j = waitUntilJourney();
    for (const data of [{ at: '2020-01-01T00:00:00Z' }, {}, { at: 'next tuesday' }, { at: 42 }]) {
      const lines = await run(j, [trigger({ id: `t-${JSON.stringify(data)}`, data })]);
      expect(kinds(lines)).toEqual(['entered:', 'sent:hello', 'exited:done']);
      expect(lines[1].at).toBe('2026-11-20T15:00:00.000Z');
    }
  });

  it('waits until the next local time of day in the customer zone, across a DST change', async () => {
    const j = journey({
      start: 'w',
      settings: { timezone: 'UTC' },
      steps: {
        w: { type: 'wait', untilLocalTime: '09:00', next: 'hello' },
        hello: { type: 'send', channel: 'email', template: 'hello', next: 'done' },
        done: { type: 'end' },
      },
    });
    // Paris leaves summer time on 2026-10-25 at 03:00: 09:00 that day is 08:00Z, the day before 07:00Z.
    const lines = await run(j, [trigger({ id: 't-dst', time: '2026-10-24T20:00:00Z' })]);
    expect(lines.find((l) => l.kind === 'sent')?.at).toBe('2026-10-25T08:00:00.000Z');
  });
});

describe('split', () => {
  const j = () =>
    journey({
      id: 'splitter',
      trigger: { event: 'x.happened', dedupeBy: ['trigger.data.n'] },
      start: 's',
      steps: {
        s: {
          type: 'split',
          paths: [
            { weight: 3, next: 'hello' },
            { weight: 1, exit: 'holdout' },
          ],
        },
        hello: { type: 'send', channel: 'email', template: 'hello', next: 'done' },
        done: { type: 'end' },
      },
    });

  it('splits by weight, holds out with reason holdout, and gives an instance the same path every run', async () => {
    const profiles = Array.from({ length: 200 }, (_, n) => ({ ...pat, customerId: `c-${n}` }));
    const events = profiles.map((p, n) => trigger({ id: `s-${n}`, customerId: p.customerId, data: { n } }));
    const first = await run(j(), events, profiles);
    const holdouts = first.filter((l) => l.kind === 'exited' && l.reason === 'holdout').length;
    expect(holdouts).toBeGreaterThan(30);
    expect(holdouts).toBeLessThan(70);
    expect(first.filter((l) => l.kind === 'sent')).toHaveLength(200 - holdouts);
    const again = await run(j(), events, profiles);
    expect(again).toEqual(first);
  });
});

describe('send channel choice', () => {
  const sendWith = (channel: string, fallback?: string[]) =>
    journey({
      steps: {
        hello: { type: 'send', channel, ...(fallback ? { fallback } : {}), template: 'hello', next: 'done' },
        done: { type: 'end' },
      },
    });

  it('sends on the preferred channel, and falls back in order when it is not eligible', async () => {
    const sms = await run(sendWith('preferred', ['email']), [trigger()], [{ ...pat, preferredChannel: 'sms' }]);
    expect(sms.find((l) => l.kind === 'sent')?.channel).toBe('sms');
    const noPhone = await run(
      sendWith('preferred', ['push', 'email']),
      [trigger()],
      [{ ...pat, preferredChannel: 'sms', phone: undefined }],
    );
    expect(noPhone.find((l) => l.kind === 'sent')?.channel).toBe('push');
    const none = await run(sendWith('preferred'), [trigger()], [{ ...pat, preferredChannel: undefined }]);
    expect(none.find((l) => l.kind === 'suppressed')?.reason).toBe('no-address');
  });
});

describe('runtime features', () => {
  let rt: LocalRuntime;
  let clock: VirtualClock;
  const lines: TimelineEntry[] = [];
  const survey = loadValid('workflows/post-resolution-survey.json');
  const support = loadValid('workflows/support-case.json');
  const limited = journey({ id: 'limited', entry: { concurrent: 'multiple', limit: 2 } });
  const timed = journey({
    id: 'timed',
    settings: { maxDuration: 'PT2H' },
    start: 'w',
    steps: {
      w: { type: 'waitFor', event: 'y.done', timeout: 'P1D', next: 'done', onTimeout: 'done' },
      done: { type: 'end' },
    },
  });

  beforeAll(async () => {
    clock = new VirtualClock(Date.parse(T0));
    rt = await startLocalRuntime({
      journeys: [survey, support, limited, timed],
      clock,
      concurrency: 1,
      onTimeline: (e) => lines.push(e),
    });
    for (const id of ['c-1', 'c-2', 'c-3', 'c-4', 'c-5'])
      await putProfile(rt.table, { ...pat, customerId: id }, clock.now());
  });
  afterAll(async () => {
    await rt.close();
  });

  async function deliver(e: Envelope) {
    await ingest(rt.deps, e);
    await rt.engine.idle();
  }
  const runUntil = (ms: number) => advanceTo(rt.engine, clock, ms);
  const of = (customerId: string, journeyId: string) =>
    lines.filter((l) => l.customerId === customerId && l.journey === journeyId);

  it('writes profile attributes with update, from the event the journey waited for', async () => {
    await deliver(trigger({ id: 'r-1', type: 'case.resolved', customerId: 'c-2', data: { caseId: 'k-1' } }));
    await runUntil(Date.parse(T0) + 3 * 3_600_000);
    await deliver(
      trigger({
        id: 'r-2',
        type: 'survey.completed',
        customerId: 'c-2',
        time: new Date(clock.now()).toISOString(),
        data: { caseId: 'k-1', score: 9 },
      }),
    );
    expect((await getProfile(rt.table, 'c-2'))?.attributes).toEqual({ firstName: 'Pat', lastSurveyScore: 9 });
  });

  it('delivers a hand-off and an action once each, with an idempotency key per step visit', async () => {
    await deliver(
      trigger({ id: 'o-1', type: 'case.opened', customerId: 'c-3', data: { caseId: 'k-9', reason: 'broken' } }),
    );
    await deliver(trigger({ id: 'o-2', type: 'case.call_requested', customerId: 'c-3', data: { caseId: 'k-9' } }));
    const sent = await listDispatches(rt.table, { customerId: 'c-3' });
    expect(sent.map((d) => [d.destination, d.type])).toEqual(
      expect.arrayContaining([
        ['handoff.phone', 'handoff.created'],
        ['call-center.callback', 'action.requested'],
      ]),
    );
    const handoff = sent.find((d) => d.type === 'handoff.created')!;
    expect(handoff.body).toMatchObject({
      to: 'phone',
      reason: 'callback requested',
      carried: { caseId: 'k-9', reason: 'broken', openedOn: 'web' },
    });
    const action = sent.find((d) => d.type === 'action.requested')!;
    expect(action.body.payload).toEqual({ caseId: 'k-9', reason: 'broken' });
    expect(of('c-3', 'support-case').map((l) => l.kind)).toEqual(['entered', 'sent', 'handoff', 'action', 'sent']);
  });

  /**
   * Open a support case for the customer and ask for a call, with the call center's destination
   * failing with `error`; returns the times the call was attempted.
   */
  async function callCenterFailing(customerId: string, caseId: string, error: () => Error): Promise<number[]> {
    const attempts: number[] = [];
    const real = rt.deps.destinations;
    rt.deps.destinations = {
      ...real,
      action: () => ({
        async deliver() {
          attempts.push(clock.now());
          throw error();
        },
      }),
    };
    try {
      const now = () => new Date(clock.now()).toISOString();
      await deliver(trigger({ id: `${caseId}-open`, type: 'case.opened', customerId, time: now(), data: { caseId } }));
      await deliver(
        trigger({ id: `${caseId}-call`, type: 'case.call_requested', customerId, time: now(), data: { caseId } }),
      );
      await runUntil(clock.now() + 3_600_000);
    } finally {
      rt.deps.destinations = real;
    }
    return attempts;
  }

  it('retries a failing action with backoff, then takes onError', async () => {
    const attempts = await callCenterFailing('c-4', 'k-10', () => new ActionFailedError('503 from the call center'));
    expect(attempts).toHaveLength(6); // the call and five retries of Baton.ActionFailed
    expect(attempts[5] - attempts[0]).toBeGreaterThan(0);
    expect(of('c-4', 'support-case').find((l) => l.kind === 'sent' && l.step === 'apologize')).toBeDefined();
  });

  it('does not retry a refused action', async () => {
    const attempts = await callCenterFailing('c-5', 'k-11', () => new ActionRejectedError('400 bad request'));
    expect(attempts).toHaveLength(1);
    expect(of('c-5', 'support-case').some((l) => l.step === 'apologize')).toBe(true);
  });

  it('ignores entries past entry.limit with reason limit', async () => {
    for (const n of [1, 2, 3])
      await deliver(trigger({ id: `lim-${n}`, customerId: 'c-1', time: new Date(clock.now()).toISOString() }));
    expect(
      of('c-1', 'limited')
        .filter((l) => l.kind !== 'sent')
        .map((l) => [l.kind, l.reason]),
    ).toEqual([
      ['entered', undefined],
      ['exited', 'completed'],
      ['entered', undefined],
      ['exited', 'completed'],
      ['ignored', 'limit'],
    ]);
  });

  it('ends an instance still running at maxDuration with reason timeout', async () => {
    const start = clock.now();
    await deliver(trigger({ id: 'tm-1', type: 'x.happened', customerId: 'c-5', time: new Date(start).toISOString() }));
    await runUntil(start + 3 * 3_600_000);
    const exit = of('c-5', 'timed').find((l) => l.kind === 'exited');
    expect(exit).toMatchObject({ reason: 'timeout', at: new Date(start + 2 * 3_600_000).toISOString() });
  });
});
