/**
 * The web console of `baton dev`, driven end to end in headless Chromium as a person would use it:
 * the journeys with their diagrams and counts, the outbox, and a customer looked up by id.
 * Debian's chromium is driven by playwright-core, which never downloads a browser of its own.
 * Without /usr/bin/chromium the test is skipped on a laptop, but fails in CI (CI installs it).
 */
import { existsSync, readdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { type Browser, chromium, type Page } from 'playwright-core';
import { VirtualClock } from '../../lib/engine/clock';
import { type LocalRuntime, startLocalRuntime } from '../../lib/local/runtime';
import { listen } from '../../lib/server/http';
import { advanceTo, loadValid } from '../helpers';

const CHROMIUM = '/usr/bin/chromium';
const T0 = Date.parse('2026-11-20T15:00:00Z'); // 10:00 in New York: outside the cart journey's quiet hours
const runs = existsSync(CHROMIUM) || Boolean(process.env.CI);
if (!runs) {
  console.warn(
    `console.test.ts skipped: ${CHROMIUM} is missing (apt-get install -y chromium); in CI this fails instead`,
  );
}

let rt: LocalRuntime;
let clock: VirtualClock;
let server: Server;
let base: string;
let browser: Browser;
let page: Page;

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  await rt.processed();
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}
const cart = (id: string, customerId: string, value: number) => ({
  id,
  type: 'checkout.abandoned',
  customerId,
  channel: 'web',
  time: new Date(clock.now()).toISOString(),
  data: { cartId: `cart-${id}`, value },
});

(runs ? describe : describe.skip)('the console at / of baton dev', () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: CI must install it (apt-get install -y chromium)`);
    clock = new VirtualClock(T0);
    const journeys = readdirSync('workflows')
      .filter((f) => f.endsWith('.json') && f !== 'journey.schema.json')
      .map((f) => loadValid(`workflows/${f}`));
    rt = await startLocalRuntime({ journeys, clock, concurrency: 1 });
    // The audience journeys' schedules are seen from T0 on, as baton dev starting then would.
    await rt.runs.nextAt();
    await rt.events.start();
    const l = await listen(rt.deps, 0, rt.events, rt.flushed);
    server = l.server;
    base = `http://127.0.0.1:${l.port}`;
    await call('PUT', '/customers/c-ana/profile', {
      email: 'ana@example.com',
      preferredChannel: 'email',
      consent: { email: 'opted_in', sms: 'opted_in' },
      attributes: { firstName: 'Ana', note: '<b>vip</b>' },
    });
    await call('PUT', '/customers/c-cleo/profile', { email: 'cleo@example.com', consent: { email: 'opted_out' } });
    await call('POST', '/events', [cart('e-1', 'c-ana', 120), cart('e-2', 'c-cleo', 50), cart('e-3', 'c-ana', 8)]);
    await advanceTo(rt.engine, clock, T0 + 61 * 60_000); // past the hour's wait: the nudges go out
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await rt?.close();
  });

  it('serves the page as HTML and the journeys as JSON', async () => {
    const html = await call('GET', '/');
    expect(html).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(html.text).toContain('<title>Baton console</title>');
    const api = await call('GET', '/console/api/journeys');
    expect(api.type).toBe('application/json');
    // The page's path takes GET only.
    expect((await call('POST', '/')).status).toBe(405);
  });

  it('lists the journeys, draws cart-recovery and counts its steps as they happened', async () => {
    await page.goto(`${base}/`);
    const summary = page.locator('main > table');
    await summary.waitFor();
    expect((await summary.locator('tbody a').allInnerTexts()).sort()).toEqual([
      'Abandoned cart recovery',
      'New loyalty tier',
      'Post-resolution survey',
      'Support case across channels',
      'Weekly newsletter',
      'Win back a list of lapsed customers',
      'Win-back with holdout',
    ]);
    const journey = page.locator('article[data-journey="cart-recovery"]');
    const diagram = journey.getByRole('img', { name: 'Diagram of Abandoned cart recovery' });
    await diagram.waitFor();
    // The SVG really decodes as an image (no `async` here: this function runs in the page as written).
    const width = await diagram.evaluate((img) => {
      const i = img as unknown as { decode(): Promise<void>; naturalWidth: number };
      return i.decode().then(() => i.naturalWidth);
    });
    expect(width).toBeGreaterThan(300);
    await expect(journey.locator('.totals').innerText()).resolves.toBe('Entered 2 · ignored: where 1');

    const sentToday = JSON.parse((await call('GET', '/outbox')).text).messages.filter(
      (m: { journey: string; step: string }) => m.journey === 'cart-recovery' && m.step === 'nudge',
    );
    expect(sentToday).toHaveLength(1);
    const cells = async (step: string) =>
      (await journey.locator(`tr[data-step="${step}"] > *`).allInnerTexts()).map((t) => t.split('\n')[0]);
    // Step, type, waiting, sent, suppressed, exited.
    expect(await cells('nudge')).toEqual(['nudge', 'send', '0', String(sentToday.length), '1', '0']);
    expect(await cells('await-order')).toEqual(['await-order', 'waitFor', '2', '0', '0', '0']);
    expect(await journey.locator('tr[data-step="nudge"] .why').innerText()).toMatch(/^[a-z-]+ 1$/);
  });

  it("shows the outbox with the customer's message", async () => {
    await page.getByRole('link', { name: 'Outbox' }).click();
    const row = page.getByRole('row').filter({ hasText: 'c-ana' });
    await row.waitFor();
    const text = await row.innerText();
    expect(text).toContain('ana@example.com');
    expect(text).toContain('cart-recovery · nudge');
    expect(text).toContain('Ana, your cart is waiting');
    await page.getByRole('heading', { name: 'Dispatches' }).waitFor();
  });

  it('looks a customer up by id: profile, context and timeline, data shown as text', async () => {
    await page.getByRole('link', { name: 'Customer' }).click();
    await page.getByLabel('Customer id').fill('c-ana');
    await page.getByRole('button', { name: 'Look up' }).click();
    const timeline = page.getByRole('region', { name: 'Timeline' });
    await timeline.getByRole('row').nth(1).waitFor();
    const kinds = await timeline.locator('tbody tr td:nth-child(2)').allInnerTexts();
    expect(kinds.slice().reverse()).toEqual(['entered', 'ignored', 'sent']);
    expect(await timeline.locator('tbody tr').first().locator('td').allInnerTexts()).toEqual([
      '2026-11-20 16:00:00Z',
      'sent',
      'cart-recovery v1',
      'nudge',
      'email',
      'cart-nudge',
    ]);
    const profile = page.getByRole('region', { name: 'Profile' });
    expect(await profile.innerText()).toContain('ana@example.com');
    // Markup in the data reads as text, never as markup.
    expect(await profile.innerText()).toContain('<b>vip</b>');
    expect(await profile.locator('b').count()).toBe(0);
    await page.getByRole('region', { name: 'Context' }).waitFor();
    expect(page.url()).toBe(`${base}/#customer/c-ana`);
  });

  it("shows the engine's time and speed in the header", async () => {
    await page.goto(`${base}/#journeys`);
    const engineTime = page.locator('#engine-time').filter({ hasText: 'Engine time' });
    await engineTime.waitFor();
    // The tests' clock is virtual: it stands where the arrangement left it, 61 minutes after T0.
    expect(await engineTime.innerText()).toBe('Engine time 2026-11-20 16:01:00Z (virtual)');
  });

  it("shows an audience journey's schedule, next run and each run's members, entries and progress", async () => {
    // To 2026-12-03 16:00Z: two weekly newsletters (nobody asked for it here) and the lapsed list's one run.
    const end = Date.parse('2026-12-03T16:00:00Z');
    for (;;) {
      await rt.runs.startDue();
      await rt.engine.runDue();
      await rt.engine.idle();
      const next = Math.min(...[await rt.engine.nextDueAt(), await rt.runs.nextAt()].map((x) => x ?? end + 1));
      if (next > end) break;
      clock.advanceTo(next);
    }
    clock.advanceTo(end);
    // The page shows #journeys already: read it again.
    await page.reload();
    const lapsed = page.locator('article[data-journey="lapsed-win-back"] section[aria-label="Audience"]');
    await lapsed.waitFor();
    expect(await lapsed.locator('p').allInnerTexts()).toEqual([
      'Audience: file audiences/lapsed-customers.jsonl · once at 2026-12-03T15:00:00Z · at most 2 a second',
      'No run left in the schedule.',
    ]);
    // Run, version, members, entered, ignored, progress: c-ana and c-cleo have profiles, the rest none.
    expect(await lapsed.locator('tr[data-run="2026-12-03T15:00:00Z"] > *').allInnerTexts()).toEqual([
      '2026-12-03T15:00:00Z',
      'v1',
      '5',
      '5',
      '0',
      'done',
    ]);
    const newsletter = page.locator('article[data-journey="weekly-newsletter"] section[aria-label="Audience"]');
    expect(await newsletter.locator('p.next-run').innerText()).toBe(
      'Next run: 2026-12-07T09:00:00, starting 2026-12-06 19:00:00Z',
    );
    expect(await newsletter.locator('tbody th').allInnerTexts()).toEqual([
      '2026-11-30T09:00:00',
      '2026-11-23T09:00:00',
    ]);
  });
});
