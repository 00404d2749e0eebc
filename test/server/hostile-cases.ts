/**
 * Bad input to the API that once answered 500, reset the connection or answered something odd,
 * and what it must answer instead: a 400 naming the field, the value found and what is allowed.
 * Shared by the local server's test and the API Lambda's, so both transports are held to one list.
 */

export interface HostileCase {
  name: string;
  method: string;
  /** Sent as is: still percent-encoded. */
  path: string;
  body?: string;
  /** The route exists only on the local server. */
  localOnly?: boolean;
  code: string;
  /** Each must appear in the message, or in the message of one field error at `field`. */
  says: string[];
  /** The JSON pointer of the field error that says it, for a body. */
  field?: string;
}

/** A value nested `levels` objects deep, the value itself being the first. */
export function nested(levels: number): Record<string, unknown> {
  let v: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < levels; i++) v = { a: v };
  return v;
}

const LONG_ID = 'x'.repeat(3000);
const ID_RULE = '1-128 characters of letters, digits and ._:@+=-';
const cursor = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
const profile = (body: unknown) => ({
  method: 'PUT',
  path: '/customers/c-hostile/profile',
  body: JSON.stringify(body),
});

export const HOSTILE_CASES: HostileCase[] = [
  {
    name: 'attributes nested past DynamoDB',
    ...profile({ attributes: nested(31) }),
    code: 'bad-profile',
    field: '/attributes',
    says: ['attributes must nest at most 30 levels deep', 'found deeper at /attributes/a/a/a/a/...'],
  },
  {
    name: 'a profile over 400 KB',
    ...profile({ attributes: { notes: 'n'.repeat(420_000) } }),
    code: 'bad-profile',
    field: '/attributes',
    says: ['at most 131072 bytes serialized', 'found 420012'],
  },
  {
    name: 'a number DynamoDB cannot hold',
    method: 'PUT',
    path: '/customers/c-hostile/profile',
    body: '{"attributes":{"score":1e308}}',
    code: 'bad-profile',
    field: '/attributes/score',
    says: ['attributes numbers must be between -9007199254740991 and 9007199254740991', 'found 1e+308'],
  },
  {
    name: 'a constructor key',
    method: 'PUT',
    path: '/customers/c-hostile/profile',
    body: '{"attributes":{"constructor":{"name":"x"}}}',
    code: 'bad-profile',
    field: '/attributes/constructor',
    says: ['keys __proto__ and constructor are reserved', 'found "constructor"'],
  },
  {
    name: 'a __proto__ key (once dropped silently)',
    method: 'PUT',
    path: '/customers/c-hostile/profile',
    body: '{"attributes":{"__proto__":{"admin":true},"tier":"gold"}}',
    code: 'bad-profile',
    field: '/attributes/__proto__',
    says: ['keys __proto__ and constructor are reserved', 'found "__proto__"'],
  },
  {
    name: 'a consent channel named constructor',
    method: 'PUT',
    path: '/customers/c-hostile/profile',
    body: '{"consent":{"constructor":"opted_in"}}',
    code: 'bad-profile',
    field: '/consent/constructor',
    says: ['consent channels must be lower-case words', 'found "constructor"'],
  },
  {
    name: 'a profile that is not an object',
    ...profile(['a', 'list']),
    code: 'bad-profile',
    field: '',
    says: ['a profile must be a JSON object', 'found ["a","list"]'],
  },
  ...[
    ['GET', '/customers/%E0%A4%A/profile'],
    ['PUT', '/customers/%E0%A4%A/profile'],
    ['DELETE', '/customers/%zz'],
    ['GET', '/customers/c-%/timeline'],
  ].map(([method, path]) => ({
    name: `a malformed %-escape: ${method} ${path}`,
    method,
    path,
    body: method === 'PUT' ? '{}' : undefined,
    code: 'bad-path',
    says: ['customer id {id} in the path has a malformed %-escape', 'write % as %25'],
  })),
  ...[
    ['GET', 'profile'],
    ['PUT', 'profile'],
    ['GET', 'context'],
    ['GET', 'timeline'],
    ['GET', 'consent'],
  ].map(([method, tail]) => ({
    name: `a 3,000-character customer id: ${method} ${tail}`,
    method,
    path: `/customers/${LONG_ID}/${tail}`,
    body: method === 'PUT' ? '{}' : undefined,
    code: 'bad-customer-id',
    says: [`the customer id {id} in the path must be ${ID_RULE}`, 'found 3000 characters: "xxx'],
  })),
  {
    name: 'a 3,000-character customer id: DELETE',
    method: 'DELETE',
    path: `/customers/${LONG_ID}`,
    code: 'bad-customer-id',
    says: [ID_RULE, 'found 3000 characters'],
  },
  {
    name: 'a customer id with a character the rule leaves out',
    method: 'GET',
    path: '/customers/a%2Fb/profile',
    code: 'bad-customer-id',
    says: [ID_RULE, 'found "a/b"'],
  },
  ...['abc', '-1', '0', '501', '1.5', '1e2', '', '0x10'].map((limit) => ({
    name: `timeline ?limit=${limit}`,
    method: 'GET',
    path: `/customers/c-hostile/timeline?limit=${limit}`,
    code: 'bad-limit',
    says: ['limit must be an integer from 1 to 500', `found ${JSON.stringify(limit)}`],
  })),
  ...['abc', '-1'].map((limit) => ({
    name: `outbox ?limit=${limit}`,
    method: 'GET',
    path: `/outbox?limit=${limit}`,
    localOnly: true,
    code: 'bad-limit',
    says: ['limit must be an integer from 1 to 500', `found ${JSON.stringify(limit)}`],
  })),
  {
    name: 'dispatches ?limit=-1',
    method: 'GET',
    path: '/dispatches?limit=-1',
    localOnly: true,
    code: 'bad-limit',
    says: ['limit must be an integer from 1 to 500', 'found "-1"'],
  },
  {
    name: 'an outbox customerId filter past the id rule',
    method: 'GET',
    path: `/outbox?customerId=${LONG_ID}`,
    localOnly: true,
    code: 'bad-customer-id',
    says: [`the query parameter customerId must be ${ID_RULE}`, 'found 3000 characters'],
  },
  ...[
    ['a sort key that is an array', { pk: 'C#c-hostile', sk: ['T#x'] }],
    ['a key with more than pk and sk', { pk: 'C#c-hostile', sk: 'T#x', gsi1pk: 'x' }],
    ['a sort key longer than DynamoDB takes', { pk: 'C#c-hostile', sk: `T#${'x'.repeat(2000)}` }],
    ["another customer's timeline", { pk: 'C#c-other', sk: 'T#x' }],
    ['not an object', ['C#c-hostile', 'T#x']],
  ].map(([what, key]) => ({
    name: `a timeline cursor holding ${what}`,
    method: 'GET',
    path: `/customers/c-hostile/timeline?cursor=${cursor(key)}`,
    code: 'bad-cursor',
    says: ["cursor must be the next of an earlier page of this customer's timeline", 'found "'],
  })),
  {
    name: 'a query parameter the route does not take',
    method: 'GET',
    path: '/customers/c-hostile/timeline?limt=5',
    code: 'bad-query',
    says: ['unknown query parameter "limt" on GET /customers/{id}/timeline', 'it takes limit, cursor'],
  },
  {
    name: 'a query parameter given twice',
    method: 'GET',
    path: '/customers/c-hostile/timeline?limit=5&limit=500',
    code: 'bad-query',
    says: ['query parameter limit is given 2 times; give it once'],
  },
];

/**
 * One batch of reserved events whose data the engine cannot act on (once a 500 that failed the
 * whole batch, or a consent silently dropped), then a good one: each bad entry is rejected naming
 * the field, and the good one beside them is accepted.
 */
export function hostileReservedBatch(customerId: string) {
  const event = (id: string, type: string, data: unknown) => ({
    id,
    type,
    customerId,
    channel: 'web',
    time: '2026-11-20T15:00:00Z',
    data,
  });
  return {
    batch: [
      event(`${customerId}-r1`, 'consent.updated', { channel: 'constructor', status: 'opted_in' }),
      event(`${customerId}-r2`, 'consent.updated', { channel: '__proto__', status: 'opted_in' }),
      event(`${customerId}-r3`, 'consent.updated', { channel: 'sms', status: 'yes' }),
      event(`${customerId}-r4`, 'message.delivered', { messageId: 'm'.repeat(3000) }),
      event(`${customerId}-ok`, 'consent.updated', { channel: 'email', status: 'opted_out' }),
    ],
    results: [
      {
        id: `${customerId}-r1`,
        status: 'rejected',
        errors: [{ path: '/data/channel', message: expect.stringContaining('found "constructor"') }],
      },
      {
        id: `${customerId}-r2`,
        status: 'rejected',
        errors: [{ path: '/data/channel', message: expect.stringContaining('found "__proto__"') }],
      },
      {
        id: `${customerId}-r3`,
        status: 'rejected',
        errors: [{ path: '/data/status', message: expect.stringContaining('opted_in or opted_out, found "yes"') }],
      },
      {
        id: `${customerId}-r4`,
        status: 'rejected',
        errors: [{ path: '/data/messageId', message: expect.stringContaining('found 3000 characters') }],
      },
      { id: `${customerId}-ok`, status: 'accepted' },
    ],
  };
}
