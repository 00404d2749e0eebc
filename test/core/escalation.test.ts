/** Escalation rules over sessions: when they hold, when the clock will make them hold, once per instance. */
import { firingRule, nextThreshold, ruleHolds } from '../../lib/core/escalation';
import { recordTouchpoint, type Session, sessionFacts } from '../../lib/core/sessions';
import { openLocalStore } from '../../lib/store/local-dynamo';

const T0 = Date.parse('2026-11-20T15:00:00Z');
const session: Session = {
  sessionId: 's',
  firstAt: T0,
  lastAt: T0 + 60_000,
  channels: ['web', 'chat'],
  touchpoints: 3,
  hops: ['web', 'chat'],
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
    const facts = sessionFacts(session, T0 + 60_000);
    expect(nextThreshold(rules, session, facts, [])).toBe(T0 + 600_000);
    expect(nextThreshold(rules, session, facts, ['busy-and-long'])).toBe(T0 + 900_000);
    expect(nextThreshold(rules, undefined, facts, [])).toBeUndefined();
  });
});

describe('sessions', () => {
  it('count touchpoints once per event, with channels and hops in order', async () => {
    const store = await openLocalStore();
    try {
      const ev = (id: string, channel: string, minute: number) => ({
        id,
        type: 'x.y',
        customerId: 'c-1',
        channel,
        time: new Date(T0 + minute * 60_000).toISOString(),
        sessionId: 's-1',
      });
      await recordTouchpoint(store.table, ev('a', 'web', 0));
      await recordTouchpoint(store.table, ev('b', 'chat', 2));
      await recordTouchpoint(store.table, ev('b', 'chat', 2));
      await recordTouchpoint(store.table, ev('c', 'chat', 3));
      const s = await recordTouchpoint(store.table, ev('d', 'phone', 9));
      expect(s).toMatchObject({
        firstAt: T0,
        lastAt: T0 + 540_000,
        channels: ['web', 'chat', 'phone'],
        touchpoints: 4,
        hops: ['web', 'chat', 'phone'],
      });
    } finally {
      await store.close();
    }
  });
});
