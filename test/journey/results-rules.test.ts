/**
 * The journey-level rules of results (SPEC §7): goal.within and split.optimize are validated with
 * the culprit's pointer and what is allowed; a split compiles to a handler that decides the path
 * and a Choice that routes on it, and the steps that cannot count their own visits say so in $passed.
 */
import { compileJourney, renderAsl, substitute } from '../../lib/journey/compile';
import { validateJourney } from '../../lib/journey/validate';
import { aslValidator } from '../asl-validator';
import { simpleJourney } from '../helpers';

const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:baton';
const AWS = { SendFunctionArn: LAMBDA, ParkFunctionArn: LAMBDA, StepFunctionArn: LAMBDA, DispatchFunctionArn: LAMBDA };

const env = { templateExists: () => true };
const problemsOf = (doc: unknown) => {
  const r = validateJourney(doc, env);
  return r.ok ? [] : r.problems;
};

const splitting = (split: Record<string, unknown>, more: Record<string, unknown> = {}) =>
  simpleJourney({
    goal: { event: 'order.placed' },
    start: 's',
    steps: {
      s: {
        type: 'split',
        paths: [
          { weight: 1, next: 'hello' },
          { weight: 1, next: 'done' },
        ],
        ...split,
      },
      hello: { type: 'send', channel: 'email', template: 'hello', next: 'done' },
      done: { type: 'end' },
    },
    ...more,
  });

describe('goal.within', () => {
  it('takes an ISO duration up to a year', () => {
    expect(problemsOf(simpleJourney({ goal: { event: 'order.placed', within: 'P14D' } }))).toEqual([]);
    expect(problemsOf(simpleJourney({ goal: { event: 'order.placed', within: '14 days' } }))).toEqual([
      expect.objectContaining({
        pointer: '/goal/within',
        message: 'expected an ISO 8601 duration such as "PT1H" or "P2D", found "14 days"',
      }),
    ]);
    expect(problemsOf(simpleJourney({ goal: { event: 'order.placed', within: 'P400D' } }))).toEqual([
      {
        pointer: '/goal/within',
        code: 'too-long',
        message: '"P400D" is longer than one year, the most a journey may last',
      },
    ]);
    expect(problemsOf(simpleJourney({ goal: { event: 'order.placed', within: 'PT0S' } }))).toEqual([
      {
        pointer: '/goal/within',
        code: 'zero-duration',
        message: '"PT0S" is no time at all; goal.within is at least PT1S',
      },
    ]);
  });
});

describe('split.optimize', () => {
  it('takes after and minPerPath', () => {
    expect(problemsOf(splitting({ optimize: { after: 'P7D', minPerPath: 200 } }))).toEqual([]);
    expect(problemsOf(splitting({ optimize: { after: 'P7D', minPerPath: 0 } }))).toEqual([
      expect.objectContaining({
        pointer: '/steps/s/optimize/minPerPath',
        message: 'minPerPath is at least 1, found 0',
      }),
    ]);
    expect(problemsOf(splitting({ optimize: { after: 'P7D' } }))).toEqual([
      expect.objectContaining({ pointer: '/steps/s/optimize/minPerPath' }),
    ]);
  });

  it('needs a goal to measure, and two paths that go on to choose from', () => {
    expect(problemsOf(splitting({ optimize: { after: 'P7D', minPerPath: 200 } }, { goal: undefined }))).toEqual([
      {
        pointer: '/steps/s/optimize',
        code: 'bad-optimize',
        message:
          'split.optimize chooses the path that converts best, so the journey needs a goal; add "goal": {"event": ...}',
      },
    ]);
    const oneAndHoldout = splitting({
      paths: [
        { weight: 1, next: 'hello' },
        { weight: 1, exit: 'holdout' },
      ],
      optimize: { after: 'P7D', minPerPath: 200 },
    });
    expect(problemsOf(oneAndHoldout)).toEqual([
      {
        pointer: '/steps/s/optimize',
        code: 'bad-optimize',
        message:
          'split.optimize chooses among the paths that continue (not the holdout), so it needs at least two; found 1',
      },
    ]);
  });
});

describe('compiled', () => {
  const compiled = (doc: unknown) => {
    const r = validateJourney(doc, env);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    return compileJourney(r.journey);
  };

  it('a split decides in the step handler, which counts its entry, and routes on the path it answers', () => {
    const asl = compiled(splitting({ optimize: { after: 'P7D', minPerPath: 200 } }));
    expect(asl.States.s).toMatchObject({
      Type: 'Task',
      Resource: '${StepFunctionArn}',
      Arguments: expect.objectContaining({
        op: 'split',
        paths: [{ weight: 1 }, { weight: 1 }],
        optimize: { afterSeconds: 7 * 86400, minPerPath: 200 },
        goal: 'order.placed',
        counted: {
          state: '{% $states.context.State.Name %}',
          entered: '{% $states.context.State.EnteredTime %}',
          passed: '|',
          self: 's',
        },
      }),
      Next: 's.route',
    });
    expect(asl.States['s.route']).toEqual({
      Type: 'Choice',
      Choices: [{ Condition: '{% $states.input.path = 0 %}', Next: 'hello' }],
      Default: 'done',
    });
    const holdout = compiled(
      splitting({
        paths: [
          { weight: 1, next: 'hello' },
          { weight: 1, next: 'done' },
          { weight: 1, exit: 'holdout' },
        ],
      }),
    );
    for (const doc of [asl, holdout]) {
      const result = aslValidator(JSON.parse(substitute(renderAsl(doc), AWS)));
      expect(result.errors).toEqual([]);
    }
  });

  it('a handler counts the bare wait it hands over to, which then adds nothing to $passed', () => {
    const asl = compiled(
      simpleJourney({
        steps: {
          hello: { type: 'send', channel: 'email', template: 'hello', next: 'w' },
          w: { type: 'wait', for: 'P1D', next: 'b' },
          b: { type: 'branch', cases: [{ if: { path: 'trigger.data.vip', eq: true }, next: 'done' }], default: 'done' },
          done: { type: 'end' },
        },
      }),
    );
    expect(asl.States.hello.Arguments).toMatchObject({
      counted: { passed: '|', self: 'hello', ahead: { sent: 'w', failed: 'w', suppressed: 'w' } },
    });
    expect(asl.States.hello.Assign).toMatchObject({ passed: '{% $states.result.passed %}' });
    expect(asl.States.w.Assign).toEqual({ passed: `{% $passed = null ? '|' : $passed & "w|" %}` });
    expect(asl.States.b.Assign).toEqual({ passed: `{% $passed = null ? '|' : $passed & "b|" %}` });
    // The end step counts what was passed, and itself.
    expect(asl.States.done.Arguments).toMatchObject({ counted: { passed: '{% $passed %}', self: 'done' } });
    // Still one state per step (and the failure states): counting adds no transition.
    expect(Object.keys(asl.States).sort()).toEqual(['b', 'baton.fail', 'baton.failed', 'done', 'hello', 'w']);
  });
});
