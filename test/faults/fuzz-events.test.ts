/**
 * Fuzzed POST /events bodies against a real local server (an HTTP listener on 127.0.0.1):
 * arbitrary bytes, text that is not JSON, JSON of the wrong shape, envelopes with one field
 * mutated (missing, wrong type, too long, bad times, huge or deep data, prototype keys, unicode)
 * and batches mixing good and bad entries. Proves, for every input: the server answers within a
 * deadline and keeps answering; it never answers 5xx; a bad body is a 4xx `{error: {code,
 * message}}` and a bad entry is `rejected` with errors naming the field (JSON pointer) and the
 * value found; good entries beside bad ones are accepted and each really enters the journey
 * (its customer's timeline says so), rejected ones have no effect, and nothing accepted is lost.
 */
import fc from 'fast-check';
import { VirtualClock } from '../../lib/engine/clock';
import type { LocalRuntime } from '../../lib/local/runtime';
import { helloJourney, serveLocally } from '../helpers';

const SEED = 20260808;
const DEADLINE_MS = 10_000;

let rt: LocalRuntime;
let base: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ rt, base, stop } = await serveLocally([helloJourney()], new VirtualClock(Date.parse('2026-11-20T15:00:00Z'))));
});
afterAll(() => stop());

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** POST a raw body; fails the property if the server does not answer in time or answers non-JSON. */
async function post(body: string | Uint8Array): Promise<Answer> {
  const res = await fetch(`${base}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(DEADLINE_MS),
  });
  expect(res.headers.get('content-type')).toBe('application/json');
  return { status: res.status, body: JSON.parse(await res.text()) };
}

async function expectServing() {
  const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(DEADLINE_MS) });
  expect(res.status).toBe(200);
}

/** A 4xx answer for the whole body: a code and a message, never a stack or an internal detail. */
function expectClientError(a: Answer) {
  expect(a.status).toBeGreaterThanOrEqual(400);
  expect(a.status).toBeLessThan(500);
  const error = a.body.error as { code: string; message: string };
  expect(typeof error.code).toBe('string');
  expect(error.message.length).toBeGreaterThan(10);
  expect(error.message).not.toMatch(/\n\s+at |RangeError|TypeError/);
}

interface EntryResult {
  id?: string;
  status: string;
  errors?: { path: string; message: string }[];
}

/** Per-entry answers: results line up with the entries, failedCount counts the rejected ones. */
function expectPerEntry(a: Answer, count: number): EntryResult[] {
  expect(a.status).toBe(200);
  const results = a.body.results as EntryResult[];
  expect(results).toHaveLength(count);
  expect(a.body.failedCount).toBe(results.filter((r) => r.status === 'rejected').length);
  for (const r of results) {
    expect(['accepted', 'duplicate', 'rejected']).toContain(r.status);
    if (r.status === 'rejected') {
      expect(r.errors?.length).toBeGreaterThan(0);
      for (const e of r.errors ?? []) {
        expect(e.path === '' || e.path.startsWith('/')).toBe(true);
        expect(e.message.length).toBeGreaterThan(10);
      }
    }
  }
  return results;
}

/** Any answer the API may give to any body: never 5xx, always a well-formed 4xx or per-entry answer. */
function expectWellFormed(a: Answer) {
  if (a.status !== 200) return expectClientError(a);
  expectPerEntry(a, (a.body.results as unknown[]).length);
}

/** A JSON fragment spliced into a body as is (for `__proto__` keys, which an object literal cannot hold). */
class Raw {
  constructor(readonly text: string) {}
}
type Field = [string, unknown];
const toJson = (v: unknown): string => (v instanceof Raw ? v.text : JSON.stringify(v));
const objectText = (fields: Field[]) => `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;

let counter = 0;
/** A valid envelope with a fresh id and its own customer, so its effect can be checked alone. */
function goodEnvelope(prefix = 'g'): Field[] {
  counter++;
  return [
    ['id', `${prefix}-evt-${counter}`],
    ['type', 'x.happened'],
    ['customerId', `${prefix}-cust-${counter}`],
    ['channel', 'web'],
    ['time', '2026-11-20T15:00:00Z'],
  ];
}

/** What a mutation does to an envelope, and whether the result must be accepted. */
interface Mutation {
  field: string;
  value: unknown | typeof MISSING;
  valid: boolean;
  /** What the error message must contain, besides the field's name. */
  says?: string;
}
const MISSING = Symbol('missing');
const REQUIRED = ['id', 'type', 'customerId', 'channel', 'time'];
const STRING_FIELDS = [...REQUIRED, 'sessionId'];

const wrongType = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, [], {}, ['x'], { a: 1 }),
  fc.integer(),
  fc.array(fc.string(), { maxLength: 3 }),
);
const badTimes = fc.oneof(
  fc.constantFrom(
    'soon',
    '',
    '2026-11-20',
    '2026-11-20T15:00:00',
    '2026-11-20 15:00:00Z',
    '2026-11-20T15:00Z',
    '2026-02-30T10:00:00Z',
    '2026-02-29T10:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-11-20T24:00:00Z',
    '2026-11-20T15:00:60Z',
    '2026-11-20T15:00:00+24:00',
    '2026-11-20T15:00:00+0100',
    '20261120T150000Z',
    '1763650800',
    '+275760-09-13T00:00:00Z',
    'Fri, 20 Nov 2026 15:00:00 GMT',
  ),
  fc.string({ maxLength: 30 }).filter((s) => !/^\d{4}-\d{2}-\d{2}T/.test(s)),
);
const goodTimes = fc.constantFrom(
  '2026-11-20T15:00:00Z',
  '2026-11-20T15:00:00.123456Z',
  '2026-11-20T10:00:00-05:00',
  '2024-02-29T23:59:59+14:00',
  '2026-11-20t15:00:00z',
);
/** Well-formed, but before 2000 or more than 24 h after the server's clock (2026-11-20T15:00Z). */
const outOfRangeTimes = fc.constantFrom(
  '0001-01-01T00:00:00Z',
  '1999-12-31T23:59:59Z',
  '2026-11-21T15:00:01Z',
  '2028-02-29T23:59:59+14:00',
);
const unicode = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 });
const tooLong = fc.integer({ min: 129, max: 5000 }).map((n) => 'a'.repeat(n));
const protoData = fc.constantFrom(
  new Raw('{"__proto__":{"polluted":true},"x":1}'),
  new Raw('{"a":[{"constructor":{"prototype":{"polluted":true}}}]}'),
  new Raw('{"x":{"__proto__":null}}'),
);
/** Data Baton keeps as sent: numbers JSON and DynamoDB hold exactly, no prototype keys. */
function storable(v: unknown): boolean {
  if (typeof v === 'number') return v === 0 || (Math.abs(v) <= Number.MAX_SAFE_INTEGER && Math.abs(v) >= 1e-130);
  if (v === null || typeof v !== 'object') return true;
  return Object.entries(v).every(([k, x]) => k !== '__proto__' && k !== 'constructor' && storable(x));
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom(...REQUIRED).map((field) => ({ field, value: MISSING, valid: false, says: 'required' })),
  fc.tuple(fc.constantFrom(...STRING_FIELDS), wrongType).map(([field, value]) => ({ field, value, valid: false })),
  fc.tuple(fc.constantFrom('id', 'customerId', 'sessionId'), tooLong).map(([field, value]) => ({
    field,
    value,
    valid: false,
    says: '1-128 characters',
  })),
  tooLong.map((value) => ({ field: 'type', value, valid: false, says: 'at most 128' })),
  badTimes.map((value) => ({ field: 'time', value, valid: false, says: 'RFC 3339' })),
  goodTimes.map((value) => ({ field: 'time', value, valid: true })),
  outOfRangeTimes.map((value) => ({ field: 'time', value, valid: false, says: 'between 2000-01-01' })),
  fc
    .tuple(fc.constantFrom('id', 'customerId', 'sessionId', 'type', 'channel'), unicode)
    .filter(([, s]) => !/^[A-Za-z0-9._:@+=-]+$/.test(s))
    .map(([field, value]) => ({ field, value, valid: false })),
  fc.integer({ min: 33 * 1024, max: 200 * 1024 }).map((n) => ({
    field: 'data',
    value: { blob: 'x'.repeat(n) },
    valid: false,
    says: 'bytes',
  })),
  fc.integer({ min: 33, max: 20000 }).map((depth) => ({
    field: 'data',
    value: new Raw(`{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`),
    valid: false,
    says: 'levels deep',
  })),
  fc.oneof(wrongType.filter((v) => v === null || typeof v !== 'object' || Array.isArray(v))).map((value) => ({
    field: 'data',
    value,
    valid: false,
    says: 'JSON object',
  })),
  fc.dictionary(unicode, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }).map((value) => ({
    field: 'data',
    value,
    valid: storable(value) && JSON.stringify(value).length < 32 * 1024,
  })),
  fc.constantFrom(2 ** 53, 1e16, -1e300, 5e-324, 1e-200).map((n) => ({
    field: 'data',
    value: { n: [n] },
    valid: false,
    says: 'found',
  })),
  protoData.map((value) => ({ field: 'data', value, valid: false, says: 'reserved' })),
  fc
    .constantFrom('{"prototype":1,"toString":"x","hasOwnProperty":2,"valueOf":{}}', '{"n":9007199254740991,"m":1e-130}')
    .map((text) => ({ field: 'data', value: new Raw(text), valid: true })),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'Id', 'customerID').map((field) => ({
    field,
    value: new Raw('{"polluted":true}'),
    valid: false,
    says: 'unknown field',
  })),
);

function apply(fields: Field[], m: Mutation): Field[] {
  const rest = fields.filter(([k]) => k !== m.field);
  return m.value === MISSING ? rest : [...rest, [m.field, m.value]];
}

/** A rejected entry names the mutated field, and the value found when there is one to show. */
function expectNamesField(result: EntryResult, m: Mutation) {
  expect(result.status).toBe('rejected');
  const error = result.errors?.find((e) => e.path === `/${m.field}` || e.path.startsWith(`/${m.field}/`));
  if (!error) throw new Error(`no error names /${m.field}: ${JSON.stringify(result.errors)}`);
  if (m.says) expect(error.message).toContain(m.says);
  if (m.says !== 'unknown field') expect(error.message).toContain(m.field);
  if (m.value !== MISSING && m.says !== 'unknown field' && m.field !== 'data') expect(error.message).toContain('found');
}

async function timelineKinds(customerId: string): Promise<string[]> {
  const res = await fetch(`${base}/customers/${encodeURIComponent(customerId)}/timeline?limit=500`, {
    signal: AbortSignal.timeout(DEADLINE_MS),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { entries: { kind: string }[] }).entries.map((e) => e.kind);
}

describe('fuzzed POST /events', () => {
  afterEach(async () => {
    await expectServing();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('arbitrary bytes and text: a 4xx naming the problem or per-entry answers, never a 5xx', async () => {
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.json({ maxDepth: 2 }).map((j) => j.slice(0, Math.max(0, j.length - 1))),
      fc.constantFrom('', ' ', 'null', '[]', '{', '\u0000', '\ufeff{}', '"\ud800"', '1e999', '{"id":"x","id":"y"}'),
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const a = await post(b);
        expectWellFormed(a);
        if (a.status !== 200) expect((a.body.error as { code: string }).code).toMatch(/^bad-(body|batch)$/);
      }),
      { seed: SEED, numRuns: 250 },
    );
  });

  it('JSON of the wrong shape is rejected per entry with the value found, or as a bad batch', async () => {
    const notAnEnvelope = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 8 }),
      fc.integer({ min: 501, max: 600 }).map((n) => Array.from({ length: n }, () => 1)),
    );
    await fc.assert(
      fc.asyncProperty(notAnEnvelope, async (v) => {
        const a = await post(JSON.stringify(v));
        const entries = Array.isArray(v) ? v : [v];
        if (entries.length === 0 || entries.length > 500) {
          expectClientError(a);
          expect((a.body.error as { message: string }).message).toContain(`found ${entries.length}`);
          return;
        }
        const results = expectPerEntry(a, entries.length);
        entries.forEach((e, i) => {
          expect(results[i].status).toBe('rejected');
          if (e === null || typeof e !== 'object' || Array.isArray(e)) {
            expect(results[i].errors).toEqual([
              { path: '', message: expect.stringMatching(/^an event must be a JSON object, found /) },
            ]);
          }
        });
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('an envelope with one field mutated: rejected naming the field and value, or accepted and entered', async () => {
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const fields = apply(goodEnvelope('m'), m);
        const a = await post(objectText(fields));
        const [result] = expectPerEntry(a, 1);
        const customer = fields.find(([k]) => k === 'customerId')?.[1];
        if (m.valid) {
          expect(result).toEqual({ id: fields[0][1], status: 'accepted' });
          await rt.processed();
          expect(await timelineKinds(customer as string)).toContain('entered');
        } else {
          expectNamesField(result, m);
          // Only an id within the id rule can have a timeline (the API refuses to look up others).
          if (typeof customer === 'string' && /^[\w-]{1,128}$/.test(customer))
            expect(await timelineKinds(customer)).toEqual([]);
        }
      }),
      { seed: SEED, numRuns: 250 },
    );
  });

  it('batches mixing good and bad entries: every good entry is accepted and enters, bad ones change nothing', async () => {
    const entry = fc.oneof(
      { weight: 2, arbitrary: fc.constant(undefined) },
      { weight: 2, arbitrary: mutation },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }).map((value) => ({ junk: value })) },
      { weight: 1, arbitrary: fc.constant('repeat' as const) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 40 }), async (plan) => {
        const texts: string[] = [];
        const expected: { status: string; customer?: string; m?: Mutation }[] = [];
        const goods: { text: string; customer: string }[] = [];
        for (const p of plan) {
          if (p === undefined || (p === 'repeat' && goods.length === 0)) {
            const fields = goodEnvelope('b');
            const text = objectText(fields);
            goods.push({ text, customer: fields[2][1] as string });
            texts.push(text);
            expected.push({ status: 'accepted', customer: fields[2][1] as string });
          } else if (p === 'repeat') {
            texts.push(goods[goods.length - 1].text);
            expected.push({ status: 'duplicate' });
          } else if ('junk' in p) {
            texts.push(JSON.stringify(p.junk) ?? 'null');
            expected.push({ status: 'rejected' });
          } else {
            const fields = apply(goodEnvelope('x'), p);
            texts.push(objectText(fields));
            const customer = fields.find(([k]) => k === 'customerId')?.[1];
            expected.push({
              status: p.valid ? 'accepted' : 'rejected',
              customer: typeof customer === 'string' ? customer : undefined,
              m: p,
            });
          }
        }
        const a = await post(`[${texts.join(',')}]`);
        const results = expectPerEntry(a, texts.length);
        results.forEach((r, i) => {
          if (expected[i].m && !expected[i].m!.valid) expectNamesField(r, expected[i].m!);
          else expect(r.status).toBe(expected[i].status);
        });
        // Nothing accepted is lost: each accepted entry entered the journey, once; rejected ones did nothing.
        await rt.processed();
        for (const [i, e] of expected.entries()) {
          if (!e.customer || !/^[\w-]{1,128}$/.test(e.customer)) continue;
          const kinds = await timelineKinds(e.customer);
          if (results[i].status === 'accepted') expect(kinds.filter((k) => k === 'entered')).toHaveLength(1);
          else if (results[i].status === 'rejected') expect(kinds).toEqual([]);
        }
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it('a body over the size limit is refused with 413 and the server keeps serving', async () => {
    const big = new Uint8Array(21 * 1024 * 1024).fill(0x20);
    const a = await post(big).catch((err: Error) => err);
    // The server may answer before it has read everything; then the client sees the reset instead.
    if (!(a instanceof Error)) {
      expect(a.status).toBe(413);
      expectClientError(a);
    } else expect(String(a.cause ?? a.message)).toMatch(/EPIPE|ECONNRESET|socket|other side closed|fetch failed/);
    const fields = goodEnvelope('after-big');
    expect(expectPerEntry(await post(objectText(fields)), 1)[0].status).toBe('accepted');
  });
});
