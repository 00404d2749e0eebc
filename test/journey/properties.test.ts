/**
 * Property tests (fast-check): any generated valid journey validates, compiles to ASL that passes
 * asl-validator, and terminates in simulation with exactly one exit; any broken journey or
 * arbitrary JSON is rejected with pointed problems and never crashes the validator.
 */
import fc from 'fast-check';
import type { Envelope } from '../../lib/core/envelope';
import { compileJourney, renderAsl, substitute } from '../../lib/journey/compile';
import { validateJourney } from '../../lib/journey/validate';
import { localSubstitutions } from '../../lib/local/runtime';
import { simulate } from '../../lib/local/simulate';
import { aslValidator } from '../asl-validator';
import { journeyInTempDir, loadValid } from '../helpers';

const TEMPLATES = {
  'hello.email.liquid': 'Subject: Hi {{ profile.attributes.firstName }}\nHello',
  'hello.sms.liquid': 'Hello {{ context.k }}',
  'hello.push.liquid': 'Hello',
};

const durations = fc.constantFrom('PT1M', 'PT30M', 'PT1H', 'P1D', 'P3D');
const conditions = fc.oneof(
  fc.record({ path: fc.constant('trigger.data.n'), gte: fc.integer({ min: 0, max: 10 }) }),
  fc.record({ path: fc.constant('trigger.data.tier'), in: fc.constant(['gold', 'silver']) }),
  fc.record({ path: fc.constant('profile.attributes.firstName'), exists: fc.boolean() }),
  fc.record({ path: fc.constant('trigger.data.name'), startsWith: fc.constant('A') }),
);

/** A step of index i whose targets all come later (a DAG, so every path ends). `next` is i+1 so all are reachable. */
function stepArb(i: number, n: number): fc.Arbitrary<Record<string, unknown>> {
  const next = `s${i + 1}`;
  const later = fc.integer({ min: i + 1, max: n - 1 }).map((k) => `s${k}`);
  return fc.oneof(
    fc.record({ type: fc.constant('wait'), for: durations, next: fc.constant(next) }),
    fc.record({
      type: fc.constant('wait'),
      untilLocalTime: fc.constantFrom('09:00', '18:30'),
      next: fc.constant(next),
    }),
    fc.record({
      type: fc.constant('wait'),
      until: fc.constantFrom('trigger.data.at', '2026-12-01T00:00:00Z'),
      next: fc.constant(next),
    }),
    fc.record({
      type: fc.constant('send'),
      channel: fc.constantFrom('sms', 'email', 'push', 'preferred', 'best'),
      template: fc.constant('hello'),
      purpose: fc.constantFrom('marketing', 'transactional'),
      next: fc.constant(next),
      onSuppressed: later,
    }),
    fc.record({
      type: fc.constant('waitFor'),
      event: fc.constant('y.done'),
      timeout: durations,
      next: fc.constant(next),
      onTimeout: later,
    }),
    fc.record({
      type: fc.constant('branch'),
      cases: fc.array(fc.record({ if: conditions, next: later }), { minLength: 1, maxLength: 3 }),
      default: fc.constant(next),
    }),
    fc.record({
      type: fc.constant('split'),
      paths: fc.tuple(fc.integer({ min: 1, max: 9 }), later).map(([w, t]) => [
        { weight: 10 - w + 1, next },
        { weight: w, next: t },
      ]),
    }),
    fc.record({
      type: fc.constant('handoff'),
      to: fc.constantFrom('phone', 'chat'),
      carry: fc.constant(['k']),
      next: fc.constant(next),
    }),
    fc.record({
      type: fc.constant('action'),
      target: fc.constant('crm.note'),
      payload: fc.constant({ k: 'context.k' }),
      next: fc.constant(next),
      onError: later,
    }),
    fc.record({ type: fc.constant('update'), set: fc.constant({ seen: true }), next: fc.constant(next) }),
  );
}

const journeyArb = fc.integer({ min: 1, max: 7 }).chain((n) =>
  fc
    .tuple(
      ...Array.from({ length: n }, (_, i) => stepArb(i, n + 1)),
      fc.option(
        fc.record({ start: fc.constant('21:00'), end: fc.constant('08:00'), action: fc.constantFrom('defer', 'skip') }),
        { nil: undefined },
      ),
      fc.boolean(),
    )
    .map((parts) => {
      const steps = parts.slice(0, n) as Record<string, unknown>[];
      const quiet = parts[n] as Record<string, unknown> | undefined;
      const escalates = parts[n + 1] as boolean;
      return {
        id: 'generated',
        name: 'Generated',
        version: 1,
        trigger: { event: 'x.happened' },
        context: { k: 'trigger.data.k' },
        settings: { timezone: 'America/New_York', ...(quiet ? { quietHours: quiet } : {}) },
        ...(escalates ? { escalation: [{ id: 'long', when: { sessionElapsed: 'PT15M' }, goto: `s${n}` }] } : {}),
        start: 's0',
        steps: { ...Object.fromEntries(steps.map((s, i) => [`s${i}`, s])), [`s${n}`]: { type: 'end' } },
      };
    }),
);

const everyTemplate = { templateExists: () => true };

describe('generated journeys', () => {
  it('validate and compile to ASL that passes asl-validator', () => {
    fc.assert(
      fc.property(journeyArb, (doc) => {
        const r = validateJourney(doc, everyTemplate);
        if (!r.ok) throw new Error(`generated journey rejected: ${JSON.stringify(r.problems)}`);
        const text = substitute(renderAsl(compileJourney(r.journey)), localSubstitutions());
        const result = aslValidator(JSON.parse(text));
        if (!result.isValid) throw new Error(JSON.stringify(result.errors));
      }),
      { numRuns: 50 },
    );
  });

  it('terminate in simulation with exactly one exit per instance', async () => {
    await fc.assert(
      fc.asyncProperty(journeyArb, fc.integer({ min: 0, max: 10 }), async (doc, n) => {
        const loaded = loadValid(journeyInTempDir(doc, TEMPLATES).file);
        const event: Envelope = {
          id: 'e-1',
          type: 'x.happened',
          customerId: 'c-1',
          channel: 'web',
          time: '2026-11-20T23:30:00Z',
          sessionId: 'sess-1',
          data: { n, k: 'v', tier: 'gold', at: '2026-11-21T10:00:00Z', name: 'Ana' },
        };
        const profile = {
          customerId: 'c-1',
          email: 'a@example.com',
          phone: '+15550001234',
          consent: { email: 'opted_in' as const },
          attributes: { firstName: 'Ana' },
        };
        const { lines } = await simulate({ journeys: [loaded], events: [event], profiles: [profile] });
        expect(lines[0]).toMatchObject({ kind: 'entered' });
        expect(lines.filter((l) => l.kind === 'exited')).toHaveLength(1);
        expect(lines.at(-1)).toMatchObject({ kind: 'exited', reason: 'completed' });
      }),
      { numRuns: 40 },
    );
  });
});

describe('broken journeys', () => {
  const mutations = fc.oneof(
    fc.constant((d: Record<string, unknown>) => ({ ...d, start: 'nowhere' })),
    fc.constant((d: Record<string, unknown>) => ({ ...d, version: 0 })),
    fc.constant((d: Record<string, unknown>) => ({
      ...d,
      steps: { ...(d.steps as object), s0: { type: 'teleport' } },
    })),
    fc.constant((d: Record<string, unknown>) => ({ ...d, steps: {} })),
    fc.constant((d: Record<string, unknown>) => ({ ...d, trigger: { event: 'Not An Event' } })),
    fc.constant((d: Record<string, unknown>) => {
      const steps = { ...(d.steps as Record<string, Record<string, unknown>>) };
      steps.s0 = { ...steps.s0, next: 'gone' };
      return { ...d, steps };
    }),
    fc.constant((d: Record<string, unknown>) => ({ ...d, context: { k: 'customer.secret' } })),
  );

  it('are rejected with JSON pointers, never a crash', () => {
    fc.assert(
      fc.property(journeyArb, mutations, (doc, mutate) => {
        const r = validateJourney(mutate(doc as Record<string, unknown>), everyTemplate);
        expect(r.ok).toBe(false);
        if (!r.ok) for (const p of r.problems) expect(p.pointer === '' || p.pointer.startsWith('/')).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('arbitrary JSON never crashes the validator', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const r = validateJourney(value, everyTemplate);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });
});
