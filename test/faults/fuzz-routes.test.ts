/**
 * Fuzzed requests to every route of a real local server (an HTTP listener on 127.0.0.1): any
 * method, paths with arbitrary, over-long and badly %-escaped customer ids, arbitrary query
 * parameters and cursors, profiles with hostile attributes, bodies of any type. Proves, for every
 * request: the server answers (never resets the connection) and keeps answering; it never answers
 * 5xx; an error is JSON `{error: {code, message}}`; and a profile it accepts reads back exactly as
 * it answered it (nothing accepted is altered or partly stored).
 */
import fc from 'fast-check';
import { helloServerForFile } from '../helpers';
import { type RawAnswer, rawRequest } from '../server/raw-http';

const SEED = 20261112;

const server = helloServerForFile();

/** Characters Node's client sends in a path as they are (it refuses spaces and controls). */
const PATH_CHARS = "abcXYZ019-._~!$&'()*+,;=:@%".split('');
const hex = fc.constantFrom(...'0123456789abcdefABCDEFgz'.split(''));
const idSegment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('c-fuzz-1', 'c-fuzz-2', 'ana@example.com', 'a.b:c+d=e') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...PATH_CHARS), maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 5 }).map(encodeURIComponent), hex, hex)
      .map(([s, a, b]) => `${s}%${a}${b}`),
  },
  { weight: 1, arbitrary: fc.integer({ min: 129, max: 4000 }).map((n) => 'y'.repeat(n)) },
);
const ROUTES = [
  '/customers/{id}/profile',
  '/customers/{id}/timeline',
  '/customers/{id}/context',
  '/customers/{id}/consent',
  '/customers/{id}',
  '/customers/{id}/{id}',
  '/{id}',
  '/outbox',
  '/dispatches',
  '/events',
  '/health',
  '/',
  '/console/api/journeys',
  '//',
];
const path = fc
  .tuple(fc.constantFrom(...ROUTES), fc.array(idSegment, { minLength: 2, maxLength: 2 }))
  .map(([route, [a, b]]) => route.replace('{id}', a).replace('{id}', b));
const cursorOf = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const queryValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer({ min: -10, max: 1000 }).map(String),
  fc.constantFrom('1e2', '0x10', '1.5', '', 'NaN', 'Infinity'),
  fc.jsonValue({ maxDepth: 2 }).map(cursorOf),
  fc.record({ pk: fc.constantFrom('C#c-fuzz-1', 'C#x'), sk: fc.jsonValue({ maxDepth: 1 }) }).map(cursorOf),
);
const query = fc
  .array(fc.tuple(fc.constantFrom('limit', 'cursor', 'customerId', 'x', '%zz'), queryValue), { maxLength: 3 })
  .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}` : ''));

/** A JSON fragment spliced into a body as is (for keys an object literal cannot hold). */
const hostileFragment = fc.constantFrom(
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"n":1e308}',
  '{"n":-5e-324}',
  '{"n":9007199254740993}',
  `{"deep":${'['.repeat(40)}${']'.repeat(40)}}`,
  `{"deep":${'{"a":'.repeat(29)}1${'}'.repeat(29)}}`,
  `{"big":"${'b'.repeat(140_000)}"}`,
  `{"${'k'.repeat(70_000)}":1}`,
);
const attributes = fc.oneof(
  fc
    .dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 })
    .map((v) => JSON.stringify(v)),
  hostileFragment,
);
const profileBody = fc
  .record(
    {
      email: fc.constantFrom('"pat@example.com"', '"not an email"', '3'),
      consent: fc.constantFrom(
        '{"email":"opted_in"}',
        '{"sms":"yes"}',
        '{"SMS":"opted_in"}',
        '{"__proto__":"opted_in"}',
      ),
      attributes,
      customerId: fc.constantFrom('"c-fuzz-1"', '"other"', 'null'),
    },
    { requiredKeys: [] },
  )
  .map(
    (r) =>
      `{${Object.entries(r)
        .map(([k, v]) => `"${k}":${v}`)
        .join(',')}}`,
  );
const body = fc.oneof(
  { weight: 3, arbitrary: profileBody },
  { weight: 1, arbitrary: fc.json({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 50 }) },
);
const request = fc.record({
  method: fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'PATCH'),
  path,
  query,
  body: fc.option(body, { nil: undefined }),
  contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', undefined),
});
/** Profiles for a valid customer, sent as JSON: most reach the profile rules themselves. */
const profilePut = fc.record({
  method: fc.constant('PUT'),
  path: fc.constantFrom('/customers/c-fuzz-1/profile', '/customers/c-fuzz-2/profile'),
  query: fc.constant(''),
  body: profileBody as fc.Arbitrary<string | undefined>,
  contentType: fc.constant('application/json' as const),
});
type Request = typeof request extends fc.Arbitrary<infer T> ? T : never;

/** The answer, failing the property on a reset. */
async function send(r: Request): Promise<RawAnswer> {
  const a = await rawRequest(server.port, {
    method: r.method,
    path: `${r.path}${r.query}`,
    body: r.body,
    headers: r.contentType ? { 'content-type': r.contentType } : {},
  });
  if ('reset' in a) throw new Error(`${r.method} ${r.path}${r.query} reset the connection: ${a.reset}`);
  return a;
}

describe('fuzzed requests to every route', () => {
  afterEach(async () => {
    const health = await fetch(`${server.base}/health`);
    expect(health.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  /** Every answer: never 5xx, JSON errors with a code, and an accepted profile stored as answered. */
  async function expectSound(r: Request): Promise<RawAnswer> {
    const a = await send(r);
    expect(a.status).toBeLessThan(500);
    if (a.status === 204) {
      expect(a.text).toBe('');
      return a;
    }
    if (a.headers['content-type'] === 'text/html; charset=utf-8') return a;
    expect(a.json).toBeDefined();
    if (a.status >= 400) {
      expect(typeof a.json?.error?.code).toBe('string');
      expect(a.json?.error?.message.length).toBeGreaterThan(10);
      expect(a.json?.error?.message).not.toMatch(/\n\s+at |RangeError|TypeError/);
    }
    if (r.method === 'PUT' && a.status === 200) {
      const stored = await rawRequest(server.port, { method: 'GET', path: r.path });
      expect(stored).toMatchObject({ status: 200, json: a.json });
    }
    return a;
  }

  it('any request: never a 5xx, never a reset, errors as JSON naming a code', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        await expectSound(r);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('reserved events with arbitrary data: answered per entry, a rejected one naming the field', async () => {
    const text = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom('constructor', '__proto__', 'toString', 'sms', 'SMS', ''),
      fc.integer({ min: 129, max: 3000 }).map((n) => 'm'.repeat(n)),
      fc.jsonValue({ maxDepth: 1 }),
    );
    const reserved = fc.record({
      type: fc.constantFrom('consent.updated', 'message.delivered', 'message.replied', 'message.clicked'),
      data: fc.record({ channel: text, status: text, messageId: text, text }, { requiredKeys: [] }),
    });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(reserved, { minLength: 1, maxLength: 5 }), async (events) => {
        const batch = events.map((e) => ({
          id: `rsv-${++n}`,
          customerId: 'c-fuzz-3',
          channel: 'sms',
          time: '2026-11-20T15:00:00Z',
          ...e,
        }));
        const a = await expectSound({
          method: 'POST',
          path: '/events',
          query: '',
          body: JSON.stringify(batch),
          contentType: 'application/json',
        });
        expect(a.status).toBe(200);
        const results = a.json?.results as { status: string; errors?: { path: string; message: string }[] }[];
        expect(results).toHaveLength(batch.length);
        for (const r of results) {
          expect(['accepted', 'rejected']).toContain(r.status);
          for (const e of r.errors ?? []) expect(e.path).toMatch(/^\/data\//);
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('profiles: accepted ones read back exactly as answered, refused ones name the field', async () => {
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(profilePut, async (r) => {
        const a = await expectSound(r);
        statuses.add(a.status);
        if (a.status === 400 && a.json?.error?.code === 'bad-profile') {
          const errors = a.json.error.errors as { path: string; message: string }[];
          expect(errors.length).toBeGreaterThan(0);
          for (const e of errors) expect(e.message).toMatch(/found|required/);
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
    // The run reached both sides of the rules.
    expect([...statuses].sort()).toEqual([200, 400]);
  });
});
