/** Logs never carry an email address or a phone number (ARCHITECTURE.md decision 5). */
import { REDACTED, redact, redactText } from '../../lib/aws/redact';

test('email addresses and phone numbers are masked inside text', () => {
  expect(redactText('found "ada.lovelace+news@example.co.uk" and +15551230000')).toBe(
    `found "${REDACTED}" and ${REDACTED}`,
  );
  expect(redactText('call (555) 123-4567 or 555.123.4567')).toBe(`call ${REDACTED} or ${REDACTED}`);
});

test('ids, times and counts are left alone', () => {
  const text = 'instance i-0123456789abcdef at 2026-11-20T18:05:00+05:00 took 1732118700000 ms, 3 retries';
  expect(redactText(text)).toBe(text);
});

test('fields named like contact details are masked whatever they hold', () => {
  expect(redact({ email: 'x', phone: 12345, to: ['a'], Address: { street: 'Main' }, messageId: 'm-1' })).toEqual({
    email: REDACTED,
    phone: REDACTED,
    to: REDACTED,
    Address: REDACTED,
    messageId: 'm-1',
  });
});

test('nested values and arrays are walked, the input is not modified', () => {
  const input = { errors: [{ path: '/customerId', message: 'found "bob@example.com"' }], n: 1, ok: true, none: null };
  const copy = structuredClone(input);
  expect(redact(input)).toEqual({
    errors: [{ path: '/customerId', message: `found "${REDACTED}"` }],
    n: 1,
    ok: true,
    none: null,
  });
  expect(input).toEqual(copy);
});

test('errors stay errors, with message and stack masked', () => {
  const err = new TypeError('no route to +15551230000');
  const out = redact({ error: err }) as { error: Error };
  expect(out.error).toBeInstanceOf(Error);
  expect(out.error.name).toBe('TypeError');
  expect(out.error.message).toBe(`no route to ${REDACTED}`);
  expect(out.error.stack).not.toContain('+15551230000');
});

test('cycles do not loop', () => {
  const a: Record<string, unknown> = { name: 'a' };
  a.self = a;
  expect(redact(a)).toEqual({ name: 'a', self: '[circular]' });
});
