/** The compiler emits JSONata ASL that AWS accepts (asl-validator) with the shapes the engine and CDK rely on. */
import { compileJourney, FAILED_STATE, INIT_STATE, renderAsl, substitute } from '../../lib/journey/compile';
import { journeyFiles } from '../../lib/journey/load';
import type { Journey } from '../../lib/journey/schema';
import { validateJourney } from '../../lib/journey/validate';
import { localSubstitutions } from '../../lib/local/runtime';
import { aslValidator } from '../asl-validator';
import { loadValid, simpleJourney } from '../helpers';

const AWS_SUBSTITUTIONS = {
  SendFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:baton-send',
  ParkFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:baton-park',
  StepFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:baton-step',
  DispatchFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:baton-dispatch',
};

function journey(doc: unknown): Journey {
  const r = validateJourney(doc, { templateExists: () => true });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.journey;
}

function expectValidAsl(j: Journey) {
  const text = renderAsl(compileJourney(j));
  for (const subs of [AWS_SUBSTITUTIONS, localSubstitutions()]) {
    const result = aslValidator(JSON.parse(substitute(text, subs)));
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  }
}

describe('compileJourney', () => {
  it.each(journeyFiles(['workflows']))('compiles %s to ASL that passes asl-validator', (file) => {
    expectValidAsl(loadValid(file).journey);
  });

  it('is a pure function: the same journey always renders the same text', () => {
    const j = loadValid('workflows/cart-recovery.json').journey;
    expect(renderAsl(compileJourney(j))).toBe(renderAsl(compileJourney(structuredClone(j))));
  });

  it('compiles a wait to one Wait state that assigns the instance variables when it starts', () => {
    const asl = compileJourney(
      journey(
        simpleJourney({
          start: 'w',
          steps: { w: { type: 'wait', for: 'PT1H30M', next: 'done' }, done: { type: 'end' } },
        }),
      ),
    );
    expect(asl.QueryLanguage).toBe('JSONata');
    expect(asl.StartAt).toBe('w');
    expect(asl.States.w).toEqual({
      Type: 'Wait',
      Seconds: 5400,
      Next: 'done',
      Assign: {
        customerId: '{% $states.input.customerId %}',
        trigger: '{% $states.input.trigger %}',
        context: '{% $states.input.context %}',
        events: '{% $states.input.events %}',
        // The entry counted the start step's visit: nothing passed yet (compile-visits.ts).
        passed: '|',
      },
    });
    expect(asl.States.done).toMatchObject({
      Type: 'Task',
      Resource: '${StepFunctionArn}',
      Arguments: expect.objectContaining({ op: 'finish', reason: 'completed' }),
      End: true,
    });
  });

  it('compiles a waitFor to a task token with its timeout, the event kept in $events, and the timeout caught', () => {
    const asl = compileJourney(
      journey(
        simpleJourney({
          context: { orderId: 'trigger.data.orderId' },
          steps: {
            hello: { type: 'send', channel: 'email', template: 'hello', next: 'await' },
            await: {
              type: 'waitFor',
              event: 'review.posted',
              match: { orderId: 'context.orderId' },
              timeout: 'P3D',
              next: 'done',
              onTimeout: 'done',
            },
            done: { type: 'end' },
          },
        }),
      ),
    );
    const s = asl.States.await;
    expect(s).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      TimeoutSeconds: 259200,
      Arguments: {
        FunctionName: '${ParkFunctionArn}',
        Payload: expect.objectContaining({
          token: '{% $states.context.Task.Token %}',
          event: 'review.posted',
          match: { orderId: '{% ($v := $context.orderId; $exists($v) ? $v : null) %}' },
        }),
      },
      Assign: { events: '{% $merge([$events, {"await": $states.result}]) %}', passed: '|' },
    });
    expect(s.Catch).toEqual([
      { ErrorEquals: ['States.Timeout'], Next: 'done', Assign: { passed: '|' } },
      expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: FAILED_STATE }),
    ]);
  });

  it('compiles a branch over trigger data to a single Choice state', () => {
    const asl = compileJourney(
      journey(
        simpleJourney({
          start: 'b',
          steps: {
            b: {
              type: 'branch',
              cases: [{ if: { path: 'trigger.data.value', gte: 100 }, next: 'hello' }],
              default: 'done',
            },
            hello: { type: 'send', channel: 'email', template: 'hello', next: 'done' },
            done: { type: 'end' },
          },
        }),
      ),
    );
    expect(asl.States.b).toMatchObject({
      Type: 'Choice',
      Choices: [
        {
          Condition:
            "{% ($type($states.input.trigger.data.value) = 'number' and $states.input.trigger.data.value >= 100) %}",
          Next: 'hello',
        },
      ],
      Default: 'done',
    });
  });

  it('keeps profile and message data out of the state machine: such a branch asks a handler for the case index', () => {
    const asl = compileJourney(loadValid('workflows/cart-recovery.json').journey);
    expect(asl.States['opened-nudge']).toMatchObject({
      Type: 'Task',
      Resource: '${StepFunctionArn}',
      Arguments: expect.objectContaining({ op: 'evaluate' }),
      Next: 'opened-nudge.route',
    });
    expect(asl.States['opened-nudge.route']).toMatchObject({
      Type: 'Choice',
      Choices: [{ Condition: '{% $states.input.case = 0 %}', Next: 'sms-last-call' }],
      Default: 'done',
    });
  });

  it('routes a deferrable marketing send through its outcome and back after the quiet hours', () => {
    const asl = compileJourney(loadValid('workflows/cart-recovery.json').journey);
    expect(asl.States.nudge.Next).toBe('nudge.outcome');
    expect(asl.States['nudge.defer']).toEqual({
      Type: 'Wait',
      Timestamp: '{% $states.input.resumeAt %}',
      Next: 'nudge',
    });
    // The transactional thanks ignores quiet hours: no extra state.
    expect(asl.States.thanks.Next).toBe('done');
    expect(asl.States['thanks.outcome']).toBeUndefined();
  });

  it('adds an init state when the start step can be entered again', () => {
    const looping = journey(
      simpleJourney({
        start: 'w',
        settings: { maxDuration: 'P30D' },
        steps: {
          w: { type: 'wait', for: 'P1D', next: 'b' },
          b: { type: 'branch', cases: [{ if: { path: 'trigger.data.again', eq: true }, next: 'w' }], default: 'done' },
          done: { type: 'end' },
        },
      }),
    );
    const asl = compileJourney(looping);
    expect(asl.StartAt).toBe(INIT_STATE);
    expect(asl.States[INIT_STATE]).toMatchObject({ Type: 'Pass', Next: 'w', Assign: { passed: null } });
    // The instance variables come from the init state; the wait only notes its own visit.
    expect(asl.States.w.Assign).toEqual({ passed: `{% $passed = null ? '|' : $passed & "w|" %}` });
    expectValidAsl(looping);
  });

  it('puts no template text, profile field or address in the document', () => {
    const text = renderAsl(compileJourney(loadValid('workflows/cart-recovery.json').journey));
    expect(text).not.toMatch(/@|\+1555|Subject:|profile\./);
  });
});
