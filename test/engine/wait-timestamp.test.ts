/**
 * Wait states as AWS documents them (https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html):
 * "Timestamps must conform to the RFC3339 profile of ISO 8601, with the further restrictions that
 * an uppercase T must separate the date and time portions, and an uppercase Z must denote that a
 * numeric time zone offset is not present"; "Step Functions considers the time value up to seconds
 * and truncates milliseconds"; Seconds is "an integer value from 0 to 99999999".
 */
import { parseWaitTimestamp } from '../../lib/engine/timestamp';
import { engineHarness, machine, T0 } from './harness';

const { run } = engineHarness();

/** Waits until the time its input names. */
const WAIT_UNTIL = machine({
  w: { Type: 'Wait', Timestamp: '{% $states.input.at %}', Next: 'done' },
  done: { Type: 'Succeed' },
});

describe('Wait Timestamp', () => {
  it('reads RFC 3339 with an uppercase T and Z or an offset, truncating fractions of a second', () => {
    const at = Date.parse('2026-08-18T17:33:00Z');
    expect(parseWaitTimestamp('2026-08-18T17:33:00Z')).toBe(at);
    expect(parseWaitTimestamp('2026-08-18T17:33:00.999999Z')).toBe(at);
    expect(parseWaitTimestamp('2026-08-18T19:33:00+02:00')).toBe(at);
    expect(parseWaitTimestamp('2026-08-18T12:03:00.5-05:30')).toBe(at);
    expect(parseWaitTimestamp('2028-02-29T00:00:00Z')).toBe(Date.parse('2028-02-29T00:00:00Z'));
  });

  it.each([
    ['no zone (Date.parse would read it in the host zone)', '2026-08-18T17:33:00'],
    ['a lowercase t and z', '2026-08-18t17:33:00z'],
    ['no seconds', '2026-08-18T17:33Z'],
    ['a space for T', '2026-08-18 17:33:00Z'],
    ['a day the month lacks', '2026-02-30T00:00:00Z'],
    ['hour 24', '2026-08-18T24:00:00Z'],
    ['an HTTP date', 'Tue, 18 Aug 2026 17:33:00 GMT'],
    ['a date alone', '2026-08-18'],
    ['an offset without a colon', '2026-08-18T17:33:00+0200'],
  ])('refuses %s', (_, text) => {
    expect(parseWaitTimestamp(text)).toBeUndefined();
  });

  it('fails a Timestamp expression that gives a time without a zone, instead of waiting in the host zone', async () => {
    const r = await run(WAIT_UNTIL, { input: { at: '2026-01-02T00:00:00' } });
    const ex = await r.describe();
    expect(ex).toMatchObject({ status: 'FAILED', error: 'States.QueryEvaluationError' });
    expect(ex.cause).toBe(
      "The JSONata expression '$states.input.at' specified for the field 'Timestamp' returned \"2026-01-02T00:00:00\", which is not an RFC 3339 time with seconds, an uppercase T and Z or a ±hh:mm offset (2026-08-18T17:33:00Z).",
    );
    expect(await r.engine.nextDueAt()).toBeUndefined();
  });

  it('resumes at the whole second of a Timestamp with milliseconds, and at the instant an offset names', async () => {
    const millis = await run(WAIT_UNTIL, { input: { at: '2026-01-01T10:00:00.900Z' } });
    expect(await millis.engine.nextDueAt()).toBe(Date.parse('2026-01-01T10:00:00Z'));
    await millis.drain();
    expect((await millis.describe()).stoppedAt).toBe('2026-01-01T10:00:00.000Z');

    const offset = await run(WAIT_UNTIL, { input: { at: '2026-01-01T12:00:00+02:00' } });
    expect(await offset.engine.nextDueAt()).toBe(Date.parse('2026-01-01T10:00:00Z'));
  });

  it('continues at once past a Timestamp already gone', async () => {
    const r = await run(WAIT_UNTIL, { input: { at: '2025-12-31T23:59:59Z' } });
    await r.drain();
    expect(await r.describe()).toMatchObject({ status: 'SUCCEEDED', stoppedAt: new Date(T0).toISOString() });
  });

  it.each([
    [1.5, 'which is not an integer from 0 to 99999999'],
    [-1, 'which is not an integer from 0 to 99999999'],
    [100_000_000, 'which is not an integer from 0 to 99999999'],
    ['60', "Expected 'number', but was 'string'"],
  ])('fails Seconds of %p with States.QueryEvaluationError', async (seconds, says) => {
    const def = machine({
      w: { Type: 'Wait', Seconds: '{% $states.input.s %}', Next: 'done' },
      done: { Type: 'Succeed' },
    });
    const ex = await (await run(def, { input: { s: seconds } })).describe();
    expect(ex).toMatchObject({ status: 'FAILED', error: 'States.QueryEvaluationError' });
    expect(ex.cause).toContain(says);
  });
});
