/**
 * The local-only routes behind the console's drill-downs, on the local HTTP server: the customers
 * behind a count of a journey and the list of customers, a page at a time in id order; the
 * console's conversion per day; every bad parameter a 400 naming it, the value and what is
 * allowed; and none of them served on AWS (the API Lambda's router, `local: false`).
 */
import { VirtualClock } from '../../lib/engine/clock';
import type { LocalRuntime } from '../../lib/local/runtime';
import { customersBehind, listCustomers } from '../../lib/server/console-customers';
import { route } from '../../lib/server/routes';
import type { Item } from '../../lib/store/port';
import { serveLocally } from '../helpers';
import { journeyOf } from '../results/run';

const clock = new VirtualClock(Date.parse('2026-11-20T15:00:00Z'));
let base: string;
let rt: LocalRuntime;
let stop: () => Promise<void>;

const welcome = journeyOf({
  id: 'welcome',
  name: 'Welcome',
  trigger: { event: 'account.created' },
  goal: { event: 'order.placed' },
  start: 'hello',
  steps: {
    hello: { type: 'send', channel: 'email', template: 't', next: 'done' },
    done: { type: 'end' },
  },
});

async function call(path: string) {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const envelope = (id: string, type: string, customerId: string) => ({
  id,
  type,
  customerId,
  channel: 'web',
  time: new Date(clock.now()).toISOString(),
});
const post = (body: unknown) =>
  fetch(`${base}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** Seven customers enter; c-2, c-4 and c-6 have no consent, so their message is suppressed; c-7 has no profile. */
const CUSTOMERS = ['c-7', 'c-3', 'c-1', 'c-6', 'c-4', 'c-2', 'c-5'];
beforeAll(async () => {
  ({ rt, base, stop } = await serveLocally([welcome], clock));
  for (const c of CUSTOMERS.filter((c) => c !== 'c-7')) {
    const consent = ['c-2', 'c-4', 'c-6'].includes(c) ? 'opted_out' : 'opted_in';
    await fetch(`${base}/customers/${c}/profile`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `${c}@example.com`, consent: { email: consent } }),
    });
  }
  await post(CUSTOMERS.map((c) => envelope(`a-${c}`, 'account.created', c)));
  await rt.engine.idle();
  await post(envelope('o-1', 'order.placed', 'c-3'));
  await rt.engine.idle();
});
afterAll(() => stop());

/** Every page of a paged route, following `next`. */
async function allPages(path: string, limit: number): Promise<{ pages: unknown[][]; ids: string[] }> {
  const pages: unknown[][] = [];
  let cursor: string | undefined;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const { status, body } = await call(`${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(status).toBe(200);
    pages.push(body.customers as unknown[]);
    cursor = body.next as string | undefined;
  } while (cursor);
  return { pages, ids: pages.flat().map((c) => (c as { customerId: string }).customerId) };
}

describe('GET /customers (local only)', () => {
  it('lists every customer once, in id order, a page at a time, with or without a profile', async () => {
    const { pages, ids } = await allPages('/customers', 2);
    expect(ids).toEqual(['c-1', 'c-2', 'c-3', 'c-4', 'c-5', 'c-6', 'c-7']);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 2, 1]);
    const first = (await call('/customers?limit=1')).body;
    expect(first).toEqual({
      customers: [{ customerId: 'c-1', profile: true, lines: 3, lastAt: expect.any(String) }],
      next: 'c-1',
    });
    const c7 = (await call('/customers?cursor=c-6')).body.customers as { profile: boolean }[];
    expect(c7).toEqual([expect.objectContaining({ customerId: 'c-7', profile: false })]);
  });
});

describe('GET /journeys/{id}/customers (local only)', () => {
  it('lists the customers behind a count: sent at a step, suppressed for a reason, entered, a page at a time', async () => {
    const results = (await call('/journeys/welcome/results')).body as {
      steps: { hello: { sent: Record<string, number>; suppressed: Record<string, number> } };
    };
    const sent = await allPages('/journeys/welcome/customers?kind=sent&step=hello', 2);
    expect(sent.ids).toEqual(['c-1', 'c-3', 'c-5']);
    expect(sent.ids).toHaveLength(results.steps.hello.sent.email);
    // Each reason's count has as many customers behind it (c-7, without a profile, for a reason of its own).
    const byReason: Record<string, string[]> = {};
    for (const [reason, n] of Object.entries(results.steps.hello.suppressed)) {
      byReason[reason] = (
        await allPages(`/journeys/welcome/customers?kind=suppressed&step=hello&reason=${reason}`, 1)
      ).ids;
      expect(byReason[reason]).toHaveLength(n);
    }
    expect(Object.values(byReason).flat().sort()).toEqual(['c-2', 'c-4', 'c-6', 'c-7']);
    expect((await allPages('/journeys/welcome/customers?kind=entered', 3)).ids).toEqual(CUSTOMERS.slice().sort());
    expect(await call('/journeys/welcome/customers?kind=exited&reason=completed&limit=1')).toEqual({
      status: 200,
      body: {
        journey: 'welcome',
        filter: { journey: 'welcome', kind: 'exited', reason: 'completed' },
        customers: [{ customerId: 'c-1', lines: 1, lastAt: '2026-11-20T15:00:00.000Z' }],
        next: 'c-1',
      },
    });
    // A reason nobody has: an empty page, not an error.
    expect((await call('/journeys/welcome/customers?kind=exited&reason=goal')).body.customers).toEqual([]);
  });

  it.each([
    [
      '?step=hello',
      400,
      'bad-kind',
      'kind must be one of entered, ignored, sent, suppressed, handoff, action, escalated, optimized, exited, and is missing',
    ],
    [
      '?kind=visited',
      400,
      'bad-kind',
      'kind must be one of entered, ignored, sent, suppressed, handoff, action, escalated, optimized, exited, found "visited"',
    ],
    ['?kind=sent&step=nope', 400, 'bad-step', 'step must be a step of welcome: hello, done; found "nope"'],
    [
      '?kind=sent&channel=E-MAIL',
      400,
      'bad-channel',
      'channel must be a lower-case channel name such as email, found "E-MAIL"',
    ],
    [
      '?kind=exited&reason=a%0Ab',
      400,
      'bad-reason',
      'reason must be 1 to 200 characters without control characters, found "a\\nb"',
    ],
    ['?kind=sent&limit=0', 400, 'bad-limit', 'limit must be an integer from 1 to 500, found "0"'],
    [
      '?kind=sent&cursor=%20x',
      400,
      'bad-cursor',
      'cursor (the next of an earlier page) must be 1-128 characters of letters, digits and ._:@+=- starting with a letter or digit, found " x"',
    ],
    [
      '?kind=sent&page=2',
      400,
      'bad-query',
      'unknown query parameter "page" on GET /journeys/{id}/customers; it takes kind, step, reason, channel, limit, cursor',
    ],
  ])(
    'refuses %s with a 400 naming the parameter, the value and what is allowed',
    async (query, status, code, message) => {
      expect(await call(`/journeys/welcome/customers${query}`)).toEqual({ status, body: { error: { code, message } } });
    },
  );

  it('refuses a journey id that is not one, and answers 404 for a journey not loaded', async () => {
    expect((await call('/journeys/Welcome!/customers?kind=sent')).body.error).toMatchObject({ code: 'bad-journey-id' });
    expect(await call('/journeys/nope/customers?kind=sent')).toEqual({
      status: 404,
      body: { error: { code: 'not-found', message: 'no journey "nope"' } },
    });
  });
});

describe("the console's conversion per day", () => {
  it("counts the live version's entries and conversions by day, from its counters", async () => {
    expect(await call('/console/api/journeys/welcome/daily')).toEqual({
      status: 200,
      body: { journey: 'welcome', version: 1, days: [{ day: '2026-11-20', entered: 7, converted: 1, rate: 1 / 7 }] },
    });
    expect((await call('/console/api/journeys/welcome/daily?from=2026-11-21')).body.days).toEqual([]);
  });

  it.each([
    ['?from=yesterday', 'bad-date', 'from must be a UTC day written yyyy-mm-dd, such as 2026-11-20, found "yesterday"'],
    ['?version=1', 'bad-query', 'unknown query parameter "version"; it takes from, to'],
  ])('refuses %s with a 400', async (query, code, message) => {
    expect(await call(`/console/api/journeys/welcome/daily${query}`)).toEqual({
      status: 400,
      body: { error: { code, message } },
    });
  });
});

describe('GET /journeys/{id}/preview (local only)', () => {
  it("renders the journey's send steps for the customer, as sent", async () => {
    expect(await call('/journeys/welcome/preview?customerId=c-1')).toEqual({
      status: 200,
      body: {
        journey: 'welcome',
        customerId: 'c-1',
        messages: [
          {
            step: 'hello',
            channel: 'email',
            template: 't',
            file: 'templates/t.email.liquid',
            rendered: { subject: 'Hi', body: 'Hello' },
            missing: [],
          },
        ],
      },
    });
  });

  it.each([
    ['', 400, 'bad-customer-id', 'customerId is required: the customer to preview the messages for'],
    [
      '?customerId=c%201',
      400,
      'bad-customer-id',
      'the query parameter customerId must be 1-128 characters of letters, digits and ._:@+=- starting with a letter or digit, found "c 1"',
    ],
    ['?customerId=c-1&step=done', 400, 'bad-step', 'step must be a send step of welcome: hello; found "done"'],
    ['?customerId=c-7', 404, 'not-found', 'no profile for customer c-7'],
  ])('answers %s with %i naming what is wrong', async (query, status, code, message) => {
    expect(await call(`/journeys/welcome/preview${query}`)).toEqual({ status, body: { error: { code, message } } });
  });
});

describe('paging over a scan that visits customers in any order', () => {
  // Customers in a scrambled order, two lines each, a page of the scan holding three items.
  const ids = ['c-5', 'c-2', 'c-9', 'c-1', 'c-7', 'c-3', 'c-8', 'c-4', 'c-6'];
  const items: Item[] = ids.flatMap((id, i) =>
    [0, 1].map((n) => ({
      pk: `C#${id}`,
      sk: `T#2026-11-2${n}T00:00:0${i}.000Z#${n}`,
      entry: {
        at: `2026-11-2${n}T00:00:0${i}.000Z`,
        kind: 'sent',
        journey: 'welcome',
        version: 1,
        customerId: id,
        instance: 'i',
        step: 'hello',
      },
    })),
  );
  const table = {
    async *scanPrefixPages() {
      for (let i = 0; i < items.length; i += 3) yield items.slice(i, i + 3);
    },
  };

  it('keeps only the smallest ids after the cursor, each with all its lines, and walks every customer once', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await customersBehind(table, { journey: 'welcome', kind: 'sent' }, { limit: 2, cursor });
      for (const c of page.customers)
        expect(c).toEqual({ customerId: c.customerId, lines: 2, lastAt: expect.stringMatching(/^2026-11-21/) });
      seen.push(...page.customers.map((c) => c.customerId));
      cursor = page.next;
    } while (cursor);
    expect(seen).toEqual([...ids].sort());
    const listed = await listCustomers(table, { limit: 4, cursor: 'c-4' });
    expect(listed).toEqual({
      customers: ['c-5', 'c-6', 'c-7', 'c-8'].map((customerId) =>
        expect.objectContaining({ customerId, lines: 2, profile: false }),
      ),
      next: 'c-8',
    });
  });
});

describe('on AWS', () => {
  it.each(['/customers', '/journeys/welcome/customers', '/journeys/welcome/preview'])(
    'does not serve %s (a scan) at all',
    async (path) => {
      const res = await route(
        rt.deps,
        { method: 'GET', path, query: new URLSearchParams('kind=sent') },
        { local: false },
      );
      expect(res).toEqual({ status: 404, body: { error: { code: 'not-found', message: `no route GET "${path}"` } } });
    },
  );
});
