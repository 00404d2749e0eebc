/** Validation returns every problem at once, each with the pointer of the culprit and an actionable message. */
import { validateJourney } from '../../lib/journey/validate';
import { simpleJourney } from '../helpers';

const allTemplates = { templateExists: () => true };
const noTemplates = { templateExists: () => false };

function problemsOf(doc: unknown, env = allTemplates) {
  const r = validateJourney(doc, env);
  return r.ok ? [] : r.problems;
}

describe('validateJourney', () => {
  it('accepts a valid journey and returns it typed', () => {
    const r = validateJourney(simpleJourney(), allTemplates);
    expect(r.ok).toBe(true);
    expect(r.ok && r.journey.steps.hello.type).toBe('send');
  });

  it('names a dangling next and the unreachable step it leaves behind', () => {
    const doc = simpleJourney({
      steps: {
        hello: { type: 'send', channel: 'email', template: 'hello', next: 'gone' },
        done: { type: 'end' },
      },
    });
    const problems = problemsOf(doc);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          pointer: '/steps/hello/next',
          code: 'unknown-step',
          message: expect.stringContaining('"gone"'),
        }),
        expect.objectContaining({ pointer: '/steps/done', code: 'unreachable-step' }),
      ]),
    );
  });

  it('counts a step reached only through an escalation goto as reachable, and what only it leads to', () => {
    const doc = simpleJourney({
      escalation: [{ id: 'long', when: { touchpoints: 3 }, goto: 'callback' }],
      steps: {
        hello: { type: 'send', channel: 'email', template: 'hello', next: 'pause' },
        pause: { type: 'wait', for: 'P1D', next: 'done' },
        callback: { type: 'handoff', to: 'phone', carry: [], next: 'after-call' },
        'after-call': { type: 'end' },
        orphan: { type: 'end' },
        done: { type: 'end' },
      },
    });
    expect(problemsOf(doc)).toEqual([
      {
        pointer: '/steps/orphan',
        code: 'unreachable-step',
        message: 'step "orphan" is unreachable: no path from start "hello" or an escalation goto leads to it',
      },
    ]);
  });

  it('reports schema problems with the value found and what is allowed, all at once', () => {
    const doc = simpleJourney({
      id: 'Bad Id',
      version: 0,
      extra: true,
      steps: {
        hello: { type: 'sned', next: 'done' },
        done: { type: 'wait', for: 'one hour', next: 'hello' },
      },
    });
    const problems = problemsOf(doc);
    const byPointer = Object.fromEntries(problems.map((p) => [p.pointer, p.message]));
    expect(byPointer['/id']).toContain('"Bad Id"');
    expect(byPointer['/version']).toContain('found 0');
    expect(byPointer['/extra']).toMatch(/unknown field "extra"; allowed here: .*steps/);
    expect(byPointer['/steps/hello/type']).toMatch(/unknown step type "sned"; expected one of .*"send"/);
    expect(byPointer['/steps/done/for']).toMatch(/ISO 8601 duration.*"one hour"/);
  });

  it('rejects a loop with no wait in it, and accepts one with a wait', () => {
    const loop = simpleJourney({
      start: 'a',
      settings: { maxDuration: 'P90D' },
      steps: {
        a: { type: 'branch', cases: [{ if: { path: 'trigger.data.x', eq: 1 }, next: 'b' }], default: 'done' },
        b: { type: 'send', channel: 'email', template: 'hello', next: 'a' },
        done: { type: 'end' },
      },
    });
    expect(problemsOf(loop)).toEqual([
      expect.objectContaining({ code: 'loop-without-wait', pointer: '/steps/b/next' }),
    ]);
    const waited = simpleJourney({
      start: 'a',
      settings: { maxDuration: 'P90D' },
      steps: {
        a: { type: 'branch', cases: [{ if: { path: 'trigger.data.x', eq: 1 }, next: 'b' }], default: 'done' },
        b: { type: 'wait', for: 'PT1H', next: 'a' },
        done: { type: 'end' },
      },
    });
    expect(problemsOf(waited)).toEqual([]);
  });

  it('names the missing template file for the channel a send uses', () => {
    expect(problemsOf(simpleJourney(), noTemplates)).toEqual([
      expect.objectContaining({
        pointer: '/steps/hello/template',
        message: expect.stringContaining('templates/hello.email.liquid'),
      }),
    ]);
  });

  it('rejects paths with unknown roots, undefined context keys and events of non-waitFor steps', () => {
    const doc = simpleJourney({
      trigger: { event: 'x.happened', where: { path: 'trigger.data.value', gte: 1 }, dedupeBy: ['customer.id'] },
      context: { cartId: 'trigger.data.cartId' },
      start: 'b',
      steps: {
        b: {
          type: 'branch',
          cases: [
            { if: { path: 'context.orderId', eq: 'x' }, next: 'done' },
            { if: { path: 'events.b.data.x', exists: true }, next: 'done' },
            { if: { path: 'messages.b.status', eq: 'opened' }, next: 'done' },
            { if: { path: 'trigger.data.x', eq: 1, ne: 2 }, next: 'done' },
          ],
          default: 'done',
        },
        done: { type: 'end' },
      },
    });
    const byPointer = Object.fromEntries(problemsOf(doc).map((p) => [p.pointer, p.message]));
    expect(byPointer['/trigger/dedupeBy/0']).toMatch(/unknown root "customer"/);
    expect(byPointer['/steps/b/cases/0/if/path']).toMatch(/context.orderId.*defined: cartId/);
    expect(byPointer['/steps/b/cases/1/if/path']).toMatch(/must name a waitFor step/);
    expect(byPointer['/steps/b/cases/2/if/path']).toMatch(/must name a send step/);
    expect(byPointer['/steps/b/cases/3/if']).toMatch(/exactly one operator, found eq, ne/);
  });

  it('rejects a journey whose longest path waits more than a year', () => {
    const doc = simpleJourney({
      start: 'w1',
      steps: {
        w1: { type: 'wait', for: 'P200D', next: 'w2' },
        w2: { type: 'waitFor', event: 'y.done', timeout: 'P200D', next: 'done', onTimeout: 'done' },
        done: { type: 'end' },
      },
    });
    expect(problemsOf(doc)).toEqual([
      expect.objectContaining({ code: 'too-long', message: expect.stringContaining('400 days') }),
    ]);
  });

  it('rejects an unknown time zone in settings', () => {
    const doc = simpleJourney({ settings: { timezone: 'Mars/Olympus' } });
    expect(problemsOf(doc)).toEqual([expect.objectContaining({ pointer: '/settings/timezone' })]);
  });

  it('never throws on arbitrary input', () => {
    for (const doc of [
      null,
      1,
      'x',
      [],
      {},
      { steps: 5 },
      { steps: { a: null } },
      { start: 3, steps: { a: { type: 'wait' } } },
    ]) {
      const r = validateJourney(doc, allTemplates);
      expect(r.ok).toBe(false);
    }
  });

  it('requires the journey zone when quiet hours or local times are used, so no customer is ever without one', () => {
    const doc = simpleJourney({ settings: { quietHours: { start: '21:00', end: '08:00' } } });
    expect(problemsOf(doc)).toEqual([expect.objectContaining({ pointer: '/settings', code: 'missing-timezone' })]);
    expect(
      problemsOf(
        simpleJourney({ settings: { timezone: 'Europe/Paris', quietHours: { start: '21:00', end: '08:00' } } }),
      ),
    ).toEqual([]);
  });
});
