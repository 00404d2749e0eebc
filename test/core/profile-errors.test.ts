/**
 * A bad profile (PUT /customers/{id}/profile, a profiles file) is refused naming the field, what
 * was found and what is allowed; a contact detail is shown masked, never whole.
 */
import { parseEnvelope } from '../../lib/core/envelope';
import { parseProfile } from '../../lib/core/profile';

const errorsOf = (profile: Record<string, unknown>) => {
  const r = parseProfile({ customerId: 'c-1', ...profile });
  return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
};

test.each([
  [{ preferredChannel: 'web' }, '/preferredChannel: Invalid option: expected one of "sms"|"email"|"push"; found "web"'],
  [{ timezone: 5 }, '/timezone: Invalid input: expected string, received number; found 5'],
  [{ consent: [] }, '/consent: Invalid input: expected record, received array; found []'],
  [{ attributes: 'x' }, '/attributes: Invalid input: expected record, received string; found "x"'],
  [{ email: 'dan.example.com' }, '/email: email must be an email address, found "da***********om" (15 characters)'],
  [
    { phone: '+44 20 7946 0958' },
    '/phone: phone must be E.164 like +15551230000, found "+4************58" (16 characters)',
  ],
  [
    { pushEndpoint: `https://push.example.com/${'x'.repeat(3000)}` },
    '/pushEndpoint: Too big: expected string to have <=2048 characters; found "ht************xx" (3025 characters)',
  ],
])('%# is refused naming the field, what was found and what is allowed', (profile, error) => {
  expect(errorsOf(profile)).toEqual([error]);
});

test('a string or key with a lone UTF-16 surrogate is refused, in attributes as in event data: stored, it would come back changed', () => {
  const profile = parseProfile(
    JSON.parse('{"customerId":"c-1","attributes":{"k":"\\ud800","emoji":"😀","\\udc00":1}}'),
  );
  expect(profile.ok ? [] : profile.errors.map((e) => e.path).sort()).toEqual(['/attributes', '/attributes/k']);
  const event = parseEnvelope(
    JSON.parse(
      '{"id":"e-1","type":"x.happened","customerId":"c-1","channel":"web","time":"2026-11-24T06:00:00Z","data":{"t":"a\\ud83d"}}',
    ),
    'replay',
  );
  expect(event).toEqual({
    ok: false,
    errors: [
      {
        path: '/data/t',
        message:
          'data strings must be valid Unicode, found one with a lone surrogate (a \\ud800-\\udfff escape not in a pair)',
      },
    ],
  });
});
