/**
 * The results routes of SPEC §7 on the local HTTP server (the same router serves the API Lambda):
 * journeys with their live version and headline counts, one journey's results, channel
 * effectiveness; every bad parameter a 400 naming it, the value and what is allowed.
 */
import { VirtualClock } from '../../lib/engine/clock';
import { serveLocally } from '../helpers';
import { journeyOf } from '../results/run';

const clock = new VirtualClock(Date.parse('2026-11-20T15:00:00Z'));
let base: string;
let stop: () => Promise<void>;

const welcome = journeyOf({
  id: 'welcome',
  name: 'Welcome',
  trigger: { event: 'account.created' },
  goal: { event: 'order.placed' },
  start: 'hello',
  steps: {
    hello: { type: 'send', channel: 'email', template: 't', purpose: 'transactional', next: 'done' },
    done: { type: 'end' },
  },
});

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const envelope = (id: string, type: string, customerId: string) => ({
  id,
  type,
  customerId,
  channel: 'web',
  time: new Date(clock.now()).toISOString(),
});

beforeAll(async () => {
  let rt: Awaited<ReturnType<typeof serveLocally>>['rt'];
  ({ rt, base, stop } = await serveLocally([welcome], clock));
  for (const c of ['c-1', 'c-2', 'c-3'])
    await call('PUT', `/customers/${c}/profile`, { email: `${c}@example.com`, consent: { email: 'opted_in' } });
  await call(
    'POST',
    '/events',
    ['c-1', 'c-2', 'c-3'].map((c) => envelope(`a-${c}`, 'account.created', c)),
  );
  await rt.engine.idle();
  await call('POST', '/events', envelope('o-1', 'order.placed', 'c-2'));
});
afterAll(() => stop());

describe('GET /journeys', () => {
  it('lists each journey with its live version and headline counts', async () => {
    expect(await call('GET', '/journeys')).toEqual({
      status: 200,
      body: { journeys: [{ id: 'welcome', name: 'Welcome', version: 1, entered: 3, converted: 1, rate: 1 / 3 }] },
    });
    const other = await call('GET', '/journeys?from=2026-11-21');
    expect(other.body).toEqual({ from: '2026-11-21', journeys: [expect.objectContaining({ entered: 0, rate: 0 })] });
  });
});

describe('GET /journeys/{id}/results', () => {
  it('answers the results of the live version, or of the days asked', async () => {
    const { status, body } = await call('GET', '/journeys/welcome/results');
    expect(status).toBe(200);
    expect(body).toEqual({
      journey: 'welcome',
      version: 1,
      entered: 3,
      ignored: {},
      exited: { completed: 3 },
      converted: 1,
      steps: {
        hello: { visits: 3, sent: { email: 3 }, suppressed: {}, delivered: 0, engaged: 0, failed: 0 },
        done: { visits: 3 },
      },
      splits: {},
    });
    const day = await call('GET', '/journeys/welcome/results?version=1&from=2026-11-20&to=2026-11-20');
    expect(day.body).toMatchObject({ from: '2026-11-20', to: '2026-11-20', entered: 3 });
    expect((await call('GET', '/journeys/welcome/results?to=2026-11-19')).body).toMatchObject({ entered: 0 });
  });

  it('is 404 for a journey it does not serve, naming those it does', async () => {
    expect(await call('GET', '/journeys/nope/results')).toEqual({
      status: 404,
      body: { error: { code: 'not-found', message: 'no journey "nope"; journeys: welcome' } },
    });
  });
});

describe('GET /channels/effectiveness', () => {
  it('compares the channels by trigger event type and by local hour of the week', async () => {
    const { status, body } = await call('GET', '/channels/effectiveness?event=account.created');
    expect(status).toBe(200);
    expect(body).toEqual({
      event: 'account.created',
      channels: [{ channel: 'email', event: 'account.created', sent: 3, delivered: 0, engaged: 0, rate: 0 }],
      // No time zone in these profiles: UTC, Friday 15:00.
      hours: [{ channel: 'email', hourOfWeek: 5 * 24 + 15, sent: 3, delivered: 0, engaged: 0, rate: 0 }],
    });
  });
});

describe('bad parameters', () => {
  it.each([
    [
      '/journeys?from=2026-13-01',
      'bad-date',
      'from must be a UTC day written yyyy-mm-dd, such as 2026-11-20, found "2026-13-01"',
    ],
    [
      '/journeys?to=yesterday',
      'bad-date',
      'to must be a UTC day written yyyy-mm-dd, such as 2026-11-20, found "yesterday"',
    ],
    ['/journeys?limit=3', 'bad-query', 'unknown query parameter "limit" on GET /journeys; it takes from, to'],
    [
      '/journeys/welcome/results?from=2026-11-21&to=2026-11-20',
      'bad-range',
      'from must not be after to, found from 2026-11-21 and to 2026-11-20',
    ],
    [
      '/journeys/welcome/results?version=2',
      'bad-version',
      'version must be a whole number from 1 to 1 (the live version), found "2"',
    ],
    [
      '/journeys/welcome/results?version=1.5',
      'bad-version',
      'version must be a whole number from 1 to 1 (the live version), found "1.5"',
    ],
    [
      '/journeys/Welcome!/results',
      'bad-journey-id',
      'the journey id {id} in the path must match ^[a-z][a-z0-9-]{1,62}$, found "Welcome!"',
    ],
    [
      '/channels/effectiveness?event=Order%20Placed',
      'bad-event',
      'event must be a lower-case dot-separated event type such as checkout.abandoned, found "Order Placed"',
    ],
    [
      '/channels/effectiveness?from=2026-02-30',
      'bad-date',
      'from must be a UTC day written yyyy-mm-dd, such as 2026-11-20, found "2026-02-30"',
    ],
  ])('GET %s is a 400 %s', async (path, code, message) => {
    expect(await call('GET', path)).toEqual({ status: 400, body: { error: { code, message } } });
  });

  it('takes only GET', async () => {
    const res = await call('POST', '/journeys', {});
    expect(res.status).toBe(405);
  });
});
