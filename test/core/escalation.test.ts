/**
 * Escalation rules over live sessions (SPEC §3): when rules hold, when the clock will make them
 * hold, once per instance; how touchpoints make sessions under event time vs engine time; and,
 * on the local engine with a virtual clock standing in for the wall clock, that backdated, late
 * and quiet sessions never escalate while `session.*` conditions and the hand-off context agree.
 */
import { customerContext } from '../../lib/core/customer-context';
import type { Envelope } from '../../lib/core/envelope';
import { firingRule, nextThreshold, ruleHolds } from '../../lib/core/escalation';
import { lookupBindings } from '../../lib/core/evaluate';
import { ingest } from '../../lib/core/ingest';
import {
  addTouchpoint,
  currentSession,
  recordTouchpoint,
  type Segment,
  type Session,
  sessionFacts,
} from '../../lib/core/sessions';
import type { TimelineEntry } from '../../lib/core/timeline';
import { VirtualClock } from '../../lib/engine/clock';
import { readEvents, readProfiles } from '../../lib/local/inputs';
import { type LocalRuntime, startLocalRuntime } from '../../lib/local/runtime';
import { postEvents } from '../../lib/server/routes';
import { openLocalStore } from '../../lib/store/local-store';
import { putProfile } from '../../lib/store/profiles';
import { advanceTo, HELLO_TEMPLATES, journeyInTempDir, loadValid, ROOT } from '../helpers';

const T0 = Date.parse('2026-11-20T15:00:00Z');
const MIN = 60_000;
const session: Session = {
  sessionId: 's',
  timeoutSeconds: 1800,
  firstAt: T0,
  lastAt: T0 + 60_000,
  channels: ['web', 'chat'],
  touchpoints: 3,
  hops: ['web', 'chat'],
  late: 0,
};
const rules = [
  { id: 'long', goto: 'callback', sessionElapsedSeconds: 900 },
  { id: 'hopping', goto: 'callback', channelsUsed: 3 },
  { id: 'busy-and-long', goto: 'supervisor', sessionElapsedSeconds: 600, touchpoints: 3 },
];

describe('escalation rules', () => {
  it('hold when every clause holds', () => {
    expect(ruleHolds(rules[0], sessionFacts(session, T0 + 899_000))).toBe(false);
    expect(ruleHolds(rules[0], sessionFacts(session, T0 + 900_000))).toBe(true);
    expect(ruleHolds(rules[2], { elapsedSeconds: 700, channels: 1, touchpoints: 2 })).toBe(false);
    expect(ruleHolds(rules[2], { elapsedSeconds: 700, channels: 1, touchpoints: 3 })).toBe(true);
  });

  it('fire in order, skipping the ones that fired already', () => {
    const facts = sessionFacts(session, T0 + 1_000_000);
    expect(firingRule(rules, facts, [])).toBe(0);
    expect(firingRule(rules, facts, ['long'])).toBe(2);
    expect(firingRule(rules, facts, ['long', 'busy-and-long'])).toBeUndefined();
  });

  it('say when the clock alone will make a rule hold, so a pause can time out then', () => {
    const now = T0 + 60_000;
    const facts = sessionFacts(session, now);
    expect(nextThreshold(rules, session, facts, [], now)).toBe(T0 + 600_000);
    expect(nextThreshold(rules, session, facts, ['busy-and-long'], now)).toBe(T0 + 900_000);
    expect(nextThreshold(rules, undefined, facts, [], now)).toBeUndefined();
  });

  it('never expect a threshold the session goes quiet before, nor one of a quiet session', () => {
    const short = { ...session, timeoutSeconds: 600 };
    const now = T0 + 60_000;
    // Live until T0 + 11 min: the 15-minute rule cannot hold by clock alone, the 10-minute one can.
    expect(nextThreshold(rules, short, sessionFacts(short, now), [], now)).toBe(T0 + 600_000);
    expect(nextThreshold(rules, short, sessionFacts(short, now), ['busy-and-long'], now)).toBeUndefined();
    const later = T0 + 12 * MIN;
    expect(sessionFacts(short, later)).toEqual({ elapsedSeconds: 0, channels: 0, touchpoints: 0 });
    expect(nextThreshold(rules, short, sessionFacts(short, later), [], later)).toBeUndefined();
  });
});

describe('a touchpoint in a session (event time, engine time)', () => {
  const TIMEOUT = 30 * MIN;
  const seg = (first: number, last: number, channels = ['web']): Segment => ({
    firstAt: T0 + first * MIN,
    lastAt: T0 + last * MIN,
    channels,
    touchpoints: 2,
    hops: channels,
    late: 0,
  });
  const tp = (minute: number, channel = 'web') => ({ at: T0 + minute * MIN, channel });
  const live = (s: Segment, nowMinute: number) => T0 + nowMinute * MIN - s.lastAt <= TIMEOUT;

  it('backdated beyond the timeout makes a session that is not live', () => {
    const s = addTouchpoint(undefined, tp(0), T0 + 4 * 24 * 60 * MIN, TIMEOUT);
    expect(live(s, 4 * 24 * 60)).toBe(false);
  });

  it('after the session went quiet starts a fresh one instead of reviving it', () => {
    expect(addTouchpoint(seg(0, 10), tp(45, 'chat'), T0 + 45 * MIN, TIMEOUT)).toEqual({
      firstAt: T0 + 45 * MIN,
      lastAt: T0 + 45 * MIN,
      channels: ['chat'],
      touchpoints: 1,
      hops: ['chat'],
      late: 0,
    });
    // Even one that happened within the timeout of the last, when it arrives after the session went quiet.
    expect(addTouchpoint(seg(0, 10), tp(35), T0 + 41 * MIN, TIMEOUT).firstAt).toBe(T0 + 35 * MIN);
  });

  it('late (older than the timeout when it arrives) is recorded but neither extends nor changes a live session', () => {
    const s = seg(0, 20);
    expect(addTouchpoint(s, tp(-15, 'store'), T0 + 25 * MIN, TIMEOUT)).toEqual({ ...s, late: 1 });
  });

  it('late fills in the history of a quiet session, which stays quiet', () => {
    const s = addTouchpoint(seg(0, 10), tp(12, 'phone'), T0 + 60 * MIN, TIMEOUT);
    expect(s).toMatchObject({ firstAt: T0, lastAt: T0 + 12 * MIN, channels: ['web', 'phone'], touchpoints: 3 });
    expect(live(s, 60)).toBe(false);
  });

  it('arriving a little out of order still counts in a live session', () => {
    expect(addTouchpoint(seg(5, 20), tp(2, 'chat'), T0 + 25 * MIN, TIMEOUT)).toMatchObject({
      firstAt: T0 + 2 * MIN,
      lastAt: T0 + 20 * MIN,
      channels: ['web', 'chat'],
      touchpoints: 3,
    });
  });
});

describe('sessions in the store', () => {
  let store: Awaited<ReturnType<typeof openLocalStore>>;
  beforeAll(async () => {
    store = await openLocalStore();
  });
  afterAll(() => store.close());
  const ev = (customerId: string, id: string, channel: string, minute: number): Envelope => ({
    id,
    type: 'x.y',
    customerId,
    channel,
    time: new Date(T0 + minute * MIN).toISOString(),
    sessionId: 's-1',
  });
  const record = (e: Envelope, nowMinute: number, timeouts = [1800]) =>
    recordTouchpoint(store.table, e, { now: T0 + nowMinute * MIN, timeouts });

  it('count touchpoints once per event, with channels and hops in order', async () => {
    await record(ev('c-1', 'a', 'web', 0), 0);
    await record(ev('c-1', 'b', 'chat', 2), 2);
    await record(ev('c-1', 'b', 'chat', 2), 2);
    await record(ev('c-1', 'c', 'chat', 3), 3);
    await record(ev('c-1', 'd', 'phone', 9), 9);
    expect(await currentSession(store.table, 'c-1', 1800)).toMatchObject({
      firstAt: T0,
      lastAt: T0 + 540_000,
      channels: ['web', 'chat', 'phone'],
      touchpoints: 4,
      hops: ['web', 'chat', 'phone'],
    });
  });

  it('never give a negative elapsed time for a touchpoint dated ahead of the engine clock', async () => {
    await record(ev('c-ahead', 'a', 'web', 120), 0);
    const s = await currentSession(store.table, 'c-ahead', 1800);
    expect(s?.firstAt).toBe(T0);
    expect(sessionFacts(s, T0)).toEqual({ elapsedSeconds: 0, channels: 1, touchpoints: 1 });
    expect(sessionFacts(s, T0 + 5 * MIN).elapsedSeconds).toBe(300);
  });

  it('keep one segment per timeout the journeys use', async () => {
    const timeouts = [600, 1800];
    await record(ev('c-two', 'a', 'web', 0), 0, timeouts);
    await record(ev('c-two', 'b', 'chat', 20), 20, timeouts);
    const short = await currentSession(store.table, 'c-two', 600);
    const long = await currentSession(store.table, 'c-two', 1800);
    expect([short?.firstAt, short?.touchpoints]).toEqual([T0 + 20 * MIN, 1]);
    expect([long?.firstAt, long?.touchpoints]).toEqual([T0, 2]);
  });
});

/** A journey with a branch on the session's elapsed time; its sessions time out after `sessionTimeout`. */
function deskJourney(sessionTimeout?: string) {
  const doc = {
    id: 'desk',
    name: 'Desk',
    version: 1,
    trigger: { event: 'case.opened' },
    ...(sessionTimeout ? { settings: { sessionTimeout } } : {}),
    escalation: [
      { id: 'long', when: { sessionElapsed: 'PT15M' }, goto: 'escalated' },
      { id: 'hopping', when: { channelsUsed: 2 }, goto: 'escalated' },
    ],
    start: 'wait',
    steps: {
      wait: { type: 'wait', for: 'PT12M', next: 'check' },
      check: {
        type: 'branch',
        cases: [
          // The validator counts only step edges as reaching a step, not an escalation's goto.
          { if: { path: 'session.channels', gte: 3 }, next: 'escalated' },
          { if: { path: 'session.elapsedSeconds', gte: 600 }, next: 'live-wait' },
        ],
        default: 'quiet-wait',
      },
      'live-wait': { type: 'wait', for: 'PT2H', next: 'done' },
      'quiet-wait': { type: 'wait', for: 'PT1H', next: 'done' },
      escalated: { type: 'end', reason: 'escalated' },
      done: { type: 'end' },
    },
  };
  return loadValid(journeyInTempDir(doc, HELLO_TEMPLATES).file);
}

/** A journey that waits a day for the case to close; its sessions time out after 10 minutes. */
function lineJourney() {
  const doc = {
    id: 'line',
    name: 'Line',
    version: 1,
    trigger: { event: 'case.opened' },
    settings: { sessionTimeout: 'PT10M' },
    escalation: [{ id: 'long', when: { sessionElapsed: 'PT15M' }, goto: 'escalated' }],
    start: 'await',
    steps: {
      // onTimeout only makes `escalated` reachable for the validator; no test waits a day.
      await: { type: 'waitFor', event: 'case.closed', timeout: 'P1D', next: 'done', onTimeout: 'escalated' },
      escalated: { type: 'end' },
      done: { type: 'end' },
    },
  };
  return loadValid(journeyInTempDir(doc, HELLO_TEMPLATES).file);
}

describe('escalation on the local engine', () => {
  let rt: LocalRuntime;
  let clock: VirtualClock;
  let lines: TimelineEntry[];
  let seq = 0;
  afterEach(() => rt.close());

  async function start(journeys: ReturnType<typeof loadValid>[], at: number) {
    clock = new VirtualClock(at);
    lines = [];
    rt = await startLocalRuntime({ journeys, clock, concurrency: 1, onTimeline: (e) => lines.push(e) });
  }
  const at = (minute: number) => new Date(T0 + minute * MIN).toISOString();
  async function touch(customerId: string, type: string, channel: string, minute: number) {
    await ingest(rt.deps, {
      id: `t-${++seq}`,
      type,
      customerId,
      channel,
      time: at(minute),
      sessionId: `s-${customerId}`,
    });
    await rt.engine.idle();
  }
  const advance = (minute: number) => advanceTo(rt.engine, clock, T0 + minute * MIN);
  const kinds = (customerId: string) =>
    lines.filter((l) => l.customerId === customerId).map((l) => [l.kind, l.step ?? '', l.reason ?? '']);
  /** What a `session.*` condition of `journey` sees now, and what the hand-off context says. */
  async function elapsedSeen(customerId: string, sessionTimeoutSeconds?: number) {
    const bindings = await lookupBindings(rt.deps, {
      journey: 'desk',
      version: 1,
      step: 'check',
      instance: 'i-probe',
      customerId,
      trigger: {},
      context: {},
      events: {},
      ...(sessionTimeoutSeconds ? { sessionTimeoutSeconds } : {}),
    });
    const context = await customerContext(rt.deps, customerId);
    return {
      condition: (bindings.session as { elapsedSeconds: number }).elapsedSeconds,
      context: context.session?.elapsedSeconds,
      live: context.session?.live,
    };
  }

  it('the README tour, sent days after its dates: nothing escalates at once or later', async () => {
    await start([loadValid(`${ROOT}/workflows/support-case.json`)], Date.parse('2026-11-24T06:00:00Z'));
    for (const p of readProfiles(`${ROOT}/samples/profiles.json`).profiles) await putProfile(rt.table, p, clock.now());
    const { events } = readEvents(`${ROOT}/test/scenarios/support-case/events.jsonl`);
    const answer = await postEvents(rt.deps, events);
    expect((answer.body as { failedCount: number }).failedCount).toBe(0);
    await rt.engine.idle();
    await advanceTo(rt.engine, clock, clock.now() + 60 * MIN);
    expect(lines.filter((l) => l.kind === 'escalated')).toEqual([]);
    // Ben's three channels are history: shown to the agent, live no more.
    const context = await customerContext(rt.deps, 'c-ben');
    expect(context.session).toMatchObject({ live: false, elapsedSeconds: 0, channels: ['chat', 'web', 'phone'] });
  });

  it('a session that went quiet never escalates; one kept live does, and conditions see the same', async () => {
    await start([deskJourney('PT10M')], T0);
    await touch('c-quiet', 'case.opened', 'web', 0);
    await touch('c-busy', 'case.opened', 'web', 0);
    await advance(8);
    await touch('c-busy', 'page.viewed', 'web', 8);
    await advance(12);
    // At the branch: c-quiet's session went quiet at minute 10, c-busy's is 12 minutes old.
    await advance(13);
    expect(await elapsedSeen('c-quiet', 600)).toEqual({ condition: 0, context: 0, live: false });
    expect(await elapsedSeen('c-busy', 600)).toEqual({ condition: 780, context: 780, live: true });
    await advance(80);
    expect(kinds('c-quiet')).toEqual([
      ['entered', '', ''],
      ['exited', 'done', 'completed'],
    ]);
    expect(kinds('c-busy')).toEqual([
      ['entered', '', ''],
      ['escalated', 'escalated', 'long'],
      ['exited', 'escalated', 'completed'],
    ]);
    expect(lines.find((l) => l.kind === 'escalated')?.at).toBe(at(15));
    // The branch read the journey's 10-minute timeout: under the default 30 minutes c-quiet's
    // session would have been live at minute 12, and the two-hour wait would end at minute 132.
    expect(lines.filter((l) => l.customerId === 'c-quiet').at(-1)?.at).toBe(at(72));
  });

  it('a touchpoint that keeps a session live, or starts a fresh one, brings its threshold to a long pause', async () => {
    await start([lineJourney()], T0);
    // At minute 0 the 15-minute threshold lies past the quiet point (minute 10): the pause parks for its day.
    await touch('c-kept', 'case.opened', 'web', 0);
    await advance(8);
    await touch('c-kept', 'page.viewed', 'web', 8);
    await touch('c-fresh', 'case.opened', 'web', 8);
    await advance(40);
    await touch('c-fresh', 'page.viewed', 'web', 40);
    await advance(50);
    await touch('c-fresh', 'page.viewed', 'web', 50);
    await advance(70);
    const escalated = lines.filter((l) => l.kind === 'escalated').map((l) => [l.customerId, l.at]);
    // c-kept: live until minute 18, so 15 holds. c-fresh: its first session went quiet at 18;
    // the one that began at 40 is kept live by the touchpoint at 50, and reaches 15 minutes at 55.
    expect(escalated).toEqual([
      ['c-kept', at(15)],
      ['c-fresh', at(55)],
    ]);
  });

  it('a late touchpoint neither extends a live session nor adds its channel', async () => {
    await start([deskJourney()], T0);
    await touch('c-late', 'case.opened', 'web', 0);
    await advance(9);
    await touch('c-late', 'page.viewed', 'web', 9);
    await advance(10);
    // Dated 40 minutes back on another channel: older than the default 30-minute timeout.
    await touch('c-late', 'store.visit', 'store', -30);
    expect(kinds('c-late')).toEqual([['entered', '', '']]);
    expect(await currentSession(rt.table, 'c-late', 1800)).toMatchObject({
      firstAt: T0,
      channels: ['web'],
      touchpoints: 2,
      late: 1,
    });
    expect(await elapsedSeen('c-late')).toEqual({ condition: 600, context: 600, live: true });
    await advance(20);
    expect(kinds('c-late')).toEqual([
      ['entered', '', ''],
      ['escalated', 'escalated', 'long'],
      ['exited', 'escalated', 'completed'],
    ]);
  });
});
