/**
 * A failed instance says why (SPEC §4: an `exited` line with reason `failed` carries `error`):
 * the error name and message of the step that failed, free of the customer's email and phone.
 * Run on the local engine: a template broken after validation fails the send step at render.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { executionClosed } from '../../lib/core/closed';
import { failureText } from '../../lib/core/failure';
import { simulate } from '../../lib/local/simulate';
import { HELLO_TEMPLATES, journeyInTempDir, loadValid, simpleJourney } from '../helpers';

const event = {
  id: 'e-1',
  type: 'x.happened',
  customerId: 'c-1',
  channel: 'web',
  time: '2026-06-01T12:00:00Z',
  data: {},
};
const profile = {
  customerId: 'c-1',
  email: 'ana@example.com',
  phone: '+15550001234',
  consent: { email: 'opted_in' as const },
  attributes: { firstName: 'Ana' },
};

describe('a failed exit', () => {
  it("carries the failed step's error into its timeline line", async () => {
    const { file, dir } = journeyInTempDir(simpleJourney(), HELLO_TEMPLATES);
    const journey = loadValid(file);
    // Edited after the journey was validated (or deployed without its check): it no longer parses.
    writeFileSync(join(dir, 'templates', 'hello.email.liquid'), 'Subject: Hi\nHello\n{% if profile.email %}no end');
    const { lines } = await simulate({ journeys: [journey], events: [event], profiles: [profile] });
    expect(lines.at(-1)).toEqual({
      // After the send's retries, with their jittered backoff.
      at: expect.stringMatching(/^2026-06-01T12:00:0\d/),
      kind: 'exited',
      journey: 'simple',
      version: 1,
      customerId: 'c-1',
      instance: expect.any(String),
      step: 'hello',
      reason: 'failed',
      error: 'Baton.TemplateError: Liquid: tag {% if profile.email %} not closed at line 3 of hello.email.liquid',
    });
  });

  it('says why when the execution itself failed, outside any step', async () => {
    const journey = loadValid(
      journeyInTempDir(
        simpleJourney({ start: 'w', steps: { w: { type: 'wait', for: 'P1D', next: 'done' }, done: { type: 'end' } } }),
      ).file,
    );
    const { lines } = await simulate({
      journeys: [journey],
      events: [event],
      profiles: [profile],
      until: Date.parse('2026-06-01T13:00:00Z'),
      inspect: async (rt) => {
        const instance = (await rt.deps.table.queryAll('C#c-1', { prefix: 'I#' }))[0]?.instance as string;
        const closed = await executionClosed(rt.deps, {
          stateMachineArn: rt.deps.catalog.get('simple')!.stateMachineArn,
          name: instance,
          status: 'FAILED',
          input: JSON.stringify({ customerId: 'c-1' }),
          error: 'States.Runtime',
          cause: 'the execution history exceeded 25000 events',
        });
        expect(closed).toBe(true);
      },
    });
    expect(lines.at(-1)).toMatchObject({
      kind: 'exited',
      reason: 'failed',
      error: 'States.Runtime: the execution history exceeded 25000 events',
    });
  });
});

describe('failureText', () => {
  it("takes a Lambda cause's message, and masks an address or number a message might quote", () => {
    const cause = JSON.stringify({
      errorType: 'Baton.SendRejected',
      errorMessage: 'provider refused ana@example.com and +15550001234',
      stackTrace: ['at x'],
    });
    expect(failureText('Baton.SendRejected', cause)).toBe(
      'Baton.SendRejected: provider refused [redacted] and [redacted]',
    );
  });

  it('keeps a short line: the name alone without a cause, and a long message cut', () => {
    expect(failureText('States.Timeout', null)).toBe('States.Timeout');
    expect(failureText('E', 'x'.repeat(1000))).toHaveLength(300);
  });
});
