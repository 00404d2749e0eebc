/**
 * Minimal copies (issue 12, item 9): an execution carries only the event and trigger fields its
 * journey reads. Step Functions keeps every execution's input, outputs and variables in its
 * history for 90 days, which erasure cannot touch, so a field no step reads must never get there.
 * Run on the local engine; its execution records (what the history would hold) are scanned at
 * every stop of the run.
 */
import { listDispatches } from '../../lib/channels/dispatch-log';
import { ingest } from '../../lib/core/ingest';
import { project } from '../../lib/core/projection';
import { templateTriggerPaths } from '../../lib/core/template-reads';
import type { TimelineEntry } from '../../lib/core/timeline';
import { VirtualClock } from '../../lib/engine/clock';
import { eventKeep, triggerKeep } from '../../lib/journey/reads';
import { type LocalRuntime, startLocalRuntime } from '../../lib/local/runtime';
import { putProfile } from '../../lib/store/profiles';
import { journeyInTempDir, loadValid, simpleJourney } from '../helpers';

const SECRETS = ['bob@example.com', '+15550009999', 'Bob Smith'];

function followUp(escalates: boolean) {
  return simpleJourney({
    id: 'follow-up',
    trigger: { event: 'cart.left' },
    context: { cartId: 'trigger.data.cartId' },
    ...(escalates ? { escalation: [{ id: 'never', when: { touchpoints: 999 }, goto: 'done' }] } : {}),
    start: 'nudge',
    steps: {
      nudge: { type: 'send', channel: 'email', template: 'nudge', next: 'await' },
      await: {
        type: 'waitFor',
        event: 'order.placed',
        match: { cartId: 'context.cartId' },
        timeout: 'P1D',
        next: 'big',
        onTimeout: 'done',
      },
      big: {
        type: 'branch',
        cases: [{ if: { path: 'events.await.data.total', gte: 100 }, next: 'vip' }],
        default: 'done',
      },
      vip: {
        type: 'action',
        target: 'crm.vip',
        payload: { orderId: 'events.await.data.orderId', gift: 'events.await.data.giftWrap' },
        next: 'done',
      },
      done: { type: 'end' },
    },
  });
}

const TEMPLATES = {
  'nudge.email.liquid': 'Subject: Your cart {{ trigger.data.cartId }}\nHi {{ profile.attributes.firstName }}',
};

/** Everything the engine keeps of its executions and task tokens: what Step Functions' history would hold. */
async function executionRecords(rt: LocalRuntime): Promise<string> {
  const items = [...(await rt.table.scanPrefix('X#')), ...(await rt.table.scanPrefix('TT#'))];
  return JSON.stringify(items);
}

async function run(escalates: boolean) {
  const journey = loadValid(journeyInTempDir(followUp(escalates), TEMPLATES).file);
  const clock = new VirtualClock(Date.parse('2026-06-01T12:00:00Z'));
  const lines: TimelineEntry[] = [];
  const rt = await startLocalRuntime({ journeys: [journey], clock, concurrency: 1, onTimeline: (e) => lines.push(e) });
  const seen: string[] = [];
  try {
    await putProfile(
      rt.table,
      { customerId: 'c-1', email: 'ana@example.com', consent: { email: 'opted_in' }, attributes: { firstName: 'Ana' } },
      clock.now(),
    );
    const events = [
      {
        id: 'e-1',
        type: 'cart.left',
        data: { cartId: 'k-1', note: 'call Bob Smith at +15550009999', contact: { email: 'bob@example.com' } },
      },
      {
        id: 'e-2',
        type: 'order.placed',
        data: { cartId: 'k-1', orderId: 'o-77', total: 120, giftWrap: false, shipTo: 'Bob Smith, bob@example.com' },
      },
    ];
    for (const e of events) {
      clock.advanceTo(clock.now() + 60_000);
      await ingest(rt.deps, { ...e, customerId: 'c-1', channel: 'web', time: new Date(clock.now()).toISOString() });
      await rt.engine.idle();
      seen.push(await executionRecords(rt));
    }
    for (let due = await rt.engine.nextDueAt(); due !== undefined; due = await rt.engine.nextDueAt()) {
      clock.advanceTo(due);
      await rt.engine.runDue();
      await rt.engine.idle();
      seen.push(await executionRecords(rt));
    }
    return { lines, seen: seen.join('\n'), dispatched: await listDispatches(rt.table, { customerId: 'c-1' }) };
  } finally {
    await rt.close();
  }
}

describe.each([false, true])('an execution (escalation rules: %s)', (escalates) => {
  it('carries the event and trigger fields the journey reads, and nothing else', async () => {
    const { lines, seen, dispatched } = await run(escalates);
    // The journey ran on what it reads: the total chose the branch, the action got the order.
    expect(lines.map((l) => l.kind)).toEqual(['entered', 'sent', 'action', 'exited']);
    expect(dispatched.map((d) => d.body.payload)).toEqual([{ orderId: 'o-77', gift: false }]);
    expect(seen).toContain('o-77');
    expect(seen).toContain('k-1');
    for (const secret of SECRETS) expect(seen).not.toContain(secret);
  });
});

describe('what a journey reads', () => {
  it('of an awaited event: the fields of events.<step>, presence only for exists', () => {
    const doc = loadValid(journeyInTempDir(followUp(false), TEMPLATES).file).journey;
    expect(eventKeep(doc, 'await')).toEqual({ values: ['data.giftWrap', 'data.orderId', 'data.total'], present: [] });
    const exists = {
      ...doc,
      steps: {
        ...doc.steps,
        big: {
          type: 'branch' as const,
          cases: [
            { if: { path: 'events.await', exists: true }, next: 'done' },
            { if: { path: 'events.await.data.flag', exists: false }, next: 'done' },
          ],
          default: 'done',
        },
      },
    };
    // The action still reads two fields; the exists tests add only the flag's presence.
    expect(eventKeep(exists, 'await')).toEqual({ values: ['data.giftWrap', 'data.orderId'], present: ['data.flag'] });
    const whole = {
      ...doc,
      steps: {
        ...doc.steps,
        vip: { type: 'action' as const, target: 'crm.vip', payload: { e: 'events.await' }, next: 'done' },
      },
    };
    expect(eventKeep(whole, 'await')).toBeUndefined();
  });

  it("of the trigger: its steps' paths and its templates' (whole when a template's reads are unknown)", () => {
    const doc = loadValid(journeyInTempDir(followUp(false), TEMPLATES).file).journey;
    expect(triggerKeep(doc, [['data', 'cartId']])).toEqual({ values: ['data.cartId'], present: [] });
    expect(triggerKeep(doc, undefined)).toBeUndefined();
    expect(
      templateTriggerPaths("{{ trigger.data.items.size }} {{ trigger.data['x'] }} trigger.data.prose {{ x.trigger }}"),
    ).toEqual([['data', 'items'], ['data']]);
    expect(templateTriggerPaths("{% include 'footer' %}")).toBeUndefined();
    expect(templateTriggerPaths('{% liquid\n  echo trigger.id\n  render "x"\n%}')).toBeUndefined();
  });

  it('projects through arrays as JSONata paths do, and keeps presence as true', () => {
    const event = { id: 'e', data: { items: [{ sku: 'a', owner: 'x@y.z' }, 3], flag: 'secret', gone: undefined } };
    expect(project(event, { values: ['data.items.sku'], present: ['data.flag', 'data.missing'] })).toEqual({
      data: { items: [{ sku: 'a' }, null], flag: true },
    });
    expect(project(event, undefined)).toBe(event);
  });
});
