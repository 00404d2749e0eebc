/**
 * The console's journey page, customer drill-downs and phone layout, driven in headless Chromium
 * as a marketer would use them: counts drawn on the diagram and charts drawn by the bundled
 * Chart.js, from a count to the customers behind it, to a customer's consent history; the page
 * refreshing on its own without losing the reader's place; and a 390×844 phone.
 * Screenshots go to /tmp/console-shots for a person to look at.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import type { PreviewMessage } from '../../lib/core/preview';
import { VirtualClock } from '../../lib/engine/clock';
import { type LocalRuntime, startLocalRuntime } from '../../lib/local/runtime';
import type { JourneyResults } from '../../lib/results/journey-results';
import { listen } from '../../lib/server/http';
import { advanceTo, loadValid } from '../helpers';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = '/tmp/console-shots';
const T0 = Date.parse('2026-11-20T15:00:00Z'); // 10:00 in New York: outside the journeys' quiet hours
const runs = existsSync(CHROMIUM) || Boolean(process.env.CI);

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
  await rt.engine.idle();
  return { status: res.status, type: res.headers.get('content-type'), json: await res.json().catch(() => undefined) };
}
const results = async (journey: string) =>
  (await call('GET', `/journeys/${journey}/results`)).json as JourneyResults & {
    steps: Record<string, Required<JourneyResults['steps'][string]>>;
  };
const event = (id: string, type: string, customerId: string, data: Record<string, unknown>) => ({
  id,
  type,
  customerId,
  channel: 'web',
  time: new Date(clock.now()).toISOString(),
  data,
});
const cart = (id: string, customerId: string, value: number) =>
  event(id, 'checkout.abandoned', customerId, { cartId: `cart-${id}`, value });

/** How many pixels of a canvas something was drawn on (Chart.js leaves the rest transparent). */
function drawnPixels(canvas: Locator): Promise<number> {
  return canvas.evaluate((c) => {
    const cv = c as unknown as {
      width: number;
      height: number;
      getContext(t: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
    };
    const { data } = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height);
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  });
}

const shot = (p: Page, name: string) => p.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

(runs ? describe : describe.skip)("the console's journey page and customers", () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: CI must install it (apt-get install -y chromium)`);
    mkdirSync(SHOTS, { recursive: true });
    clock = new VirtualClock(T0);
    const journeys = readdirSync('workflows')
      .filter((f) => f.endsWith('.json') && f !== 'journey.schema.json')
      .map((f) => loadValid(`workflows/${f}`));
    rt = await startLocalRuntime({ journeys, clock, concurrency: 1 });
    const l = await listen(rt.deps, 0);
    server = l.server;
    base = `http://127.0.0.1:${l.port}`;
    const optedIn = { email: 'opted_in', sms: 'opted_in' };
    await call('PUT', '/customers/c-ana/profile', {
      email: 'ana@example.com',
      consent: optedIn,
      attributes: { firstName: 'Ana' },
    });
    await call('PUT', '/customers/c-cleo/profile', { email: 'cleo@example.com', consent: { email: 'opted_out' } });
    const dan = { email: 'dan@example.com', phone: '+15555550100' };
    await call('PUT', '/customers/c-dan/profile', { ...dan, consent: optedIn });
    // Dan changes his mind about SMS (a PUT is the whole profile): his consent history has two lines for it.
    await call('PUT', '/customers/c-dan/profile', { ...dan, consent: { ...optedIn, sms: 'opted_out' } });
    await call('POST', '/events', [
      cart('e-1', 'c-ana', 120),
      cart('e-2', 'c-cleo', 50),
      cart('e-3', 'c-ana', 8),
      cart('e-4', 'c-dan', 70),
      ...['c-ana', 'c-cleo', 'c-dan'].map((c, i) => event(`l-${i}`, 'customer.lapsed', c, {})),
    ]);
    await advanceTo(rt.engine, clock, T0 + 61 * 60_000); // past the hour's wait: the nudges go out
    await call('POST', '/events', [event('o-1', 'order.placed', 'c-ana', { cartId: 'cart-e-1' })]);
    // The order resumes Ana's wait, and her instance goes on to its end: settled before any page
    // reads it (the preview's context is her live instance's; in a slow run it was still there).
    await rt.processed();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // Generous: npm test runs two jest workers and tsc on 2 cores, and Chromium renders on what is left.
    page.setDefaultTimeout(30_000);
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await rt?.close();
  });

  it('serves Chart.js from the local server as a script, bundled from npm', async () => {
    const res = await fetch(`${base}/console/chart.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('Chart.js v4.6.1');
    expect(text.length).toBeGreaterThan(100_000);
  });

  it('draws the journey page: totals, counts on the diagram and the charts, from the results API', async () => {
    const cartResults = await results('cart-recovery');
    expect(cartResults).toMatchObject({ entered: 3, converted: 1, ignored: { where: 1 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${base}/#journey/cart-recovery`);
    const journey = page.locator('.journey-page[data-journey="cart-recovery"]');
    await journey.waitFor();
    expect(await journey.getByLabel('Totals').innerText()).toBe(
      `Entered 3 · converted 1 (33.3%) · ignored: where: 1 · exited: ${Object.entries(cartResults.exited)
        .map(([r, n]) => `${r}: ${n}`)
        .join(', ')}`,
    );
    // The nudge step's box carries its visits and sends, as the API counts them.
    const nudge = cartResults.steps.nudge;
    const sent = Object.values(nudge.sent).reduce((a, b) => a + b, 0);
    const suppressed = Object.values(nudge.suppressed).reduce((a, b) => a + b, 0);
    expect(sent).toBe(2);
    expect(await journey.locator('.badge[data-step="nudge"]').innerText()).toBe(
      `${nudge.visits} visits · ${sent} sent · ${suppressed} suppressed`,
    );
    // Each chart's canvas has something drawn on it.
    for (const name of ['Funnel of Abandoned cart recovery', 'Conversion per day of Abandoned cart recovery']) {
      expect(await drawnPixels(page.getByRole('img', { name }))).toBeGreaterThan(500);
    }
    expect(
      await drawnPixels(page.getByRole('img', { name: 'Engagement by channel and hour of the week' })),
    ).toBeGreaterThan(200);
    // Nothing but the local server was asked for anything.
    expect(requests.filter((u) => !u.startsWith(base) && !u.startsWith('data:'))).toEqual([]);
    expect(requests).toContain(`${base}/console/chart.js`);
    await shot(page, 'journey-desktop');
  });

  it('shows split paths with their intervals and uplift over the holdout', async () => {
    const winBack = await results('win-back');
    await page.goto(`${base}/#journey/win-back`);
    const split = page.locator('[data-split="holdout"]');
    await split.waitFor();
    const pct = (r: number) => `${Math.round(r * 1000) / 10}%`;
    for (const p of winBack.splits.holdout) {
      const cells = await split.locator(`tr[data-path="${p.path}"] > *`).allInnerTexts();
      expect(cells[1]).toBe(String(p.entered));
      expect(cells[3]).toBe(`${pct(p.rate)}\n${pct(p.ci95[0])} – ${pct(p.ci95[1])}`);
      if (p.uplift) expect(cells[4].split('\n')[1]).toBe(`${pct(p.uplift.ci95[0])} – ${pct(p.uplift.ci95[1])}`);
    }
    expect(winBack.splits.holdout.reduce((s, p) => s + p.entered, 0)).toBe(3);
    expect(await drawnPixels(page.getByRole('img', { name: 'Conversion by path of holdout' }))).toBeGreaterThan(500);
    await shot(page, 'journey-split');
  });

  it('goes from a count to the customers behind it, to a customer and their consent history', async () => {
    await page.goto(`${base}/#journey/cart-recovery`);
    await page.locator('.badge[data-step="nudge"]').getByRole('link', { name: '2 sent' }).click();
    const rows = page.locator('main tbody tr');
    await page.getByRole('heading', { name: 'Customers sent at nudge' }).waitFor();
    expect(await rows.locator('td:first-child').allInnerTexts()).toEqual(['c-ana', 'c-dan']);
    await shot(page, 'behind');
    await page.getByRole('link', { name: 'c-dan' }).click();
    const consent = page.getByRole('region', { name: 'Consent history' });
    await consent.locator('tbody tr').first().waitFor();
    const api = (
      (await call('GET', '/customers/c-dan/consent')).json as { history: { channel: string; status: string }[] }
    ).history;
    // Newest first on the page.
    const shown = await consent
      .locator('tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [tr.children[1].textContent, tr.children[2].textContent].join(' ')));
    expect(shown).toEqual(api.map((h) => `${h.channel} ${h.status}`).reverse());
    expect(shown[0]).toBe('sms opted_out');
    expect(await page.getByRole('region', { name: 'Profile' }).innerText()).toContain('dan@example.com');
    await page.getByRole('region', { name: 'Timeline' }).getByText('nudge').first().waitFor();
    await shot(page, 'customer-desktop');
    // Back on the journey, the ignored count leads to who was ignored, and why.
    await page.goto(`${base}/#journey/cart-recovery`);
    await page.getByLabel('Totals').getByRole('link', { name: 'where: 1' }).click();
    await page.getByRole('heading', { name: 'Customers ignored: where' }).waitFor();
    expect(await rows.locator('td:first-child').allInnerTexts()).toEqual(['c-ana']);
  });

  it("previews a send step's messages for a chosen customer, flagging what renders empty, and keeps the choice", async () => {
    await page.goto(`${base}/#journey/cart-recovery`);
    const panel = page.getByRole('region', { name: 'Preview', exact: true });
    await panel.getByLabel('Customer').fill('c-ana');
    await panel.getByLabel('Step').selectOption('nudge');
    await panel.getByRole('button', { name: 'Preview' }).click();
    const email = panel.locator('article[data-step="nudge"][data-channel="email"]');
    await email.waitFor();
    const api = (await call('GET', '/journeys/cart-recovery/preview?customerId=c-ana&step=nudge')).json as {
      messages: PreviewMessage[];
    };
    const emailApi = api.messages.find((m) => m.channel === 'email') as PreviewMessage;
    expect(await email.locator('.subject').innerText()).toBe('Ana, your cart is waiting');
    expect(await email.locator('pre.body').innerText()).toBe(emailApi.rendered?.body);
    expect(await email.locator('ul.missing li').allInnerTexts()).toEqual(
      emailApi.missing.map((v) => `${v.variable} rendered empty at ${v.file} line ${v.line}, column ${v.column}`),
    );
    expect(emailApi.missing.map((v) => v.variable)).toEqual(['context.cartId', 'trigger.data.value', 'context.cartId']);
    expect(await panel.locator('article').evaluateAll((as) => as.map((a) => a.getAttribute('data-channel')))).toEqual(
      api.messages.map((m) => m.channel),
    );
    await shot(page, 'preview-desktop');
    // Drawn again (the Refresh button, as every few seconds on its own), the preview is still there.
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator('#status').filter({ hasText: 'Updated' }).waitFor();
    await email.locator('.subject').waitFor();
    expect(await panel.getByLabel('Customer').inputValue()).toBe('c-ana');
  });

  it('keeps what is typed in the preview form, not yet submitted, when the page is drawn again', async () => {
    await page.goto(`${base}/#journey/win-back`);
    await page.locator('.journey-page[data-journey="win-back"]').waitFor();
    const panel = page.getByRole('region', { name: 'Preview', exact: true });
    await panel.getByLabel('Customer').fill('c-typed');
    await page.locator('#status').evaluate((s) => {
      s.textContent = '';
    });
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator('#status').filter({ hasText: 'Updated' }).waitFor();
    expect(await panel.getByLabel('Customer').inputValue()).toBe('c-typed');
    expect(await panel.locator('article').count()).toBe(0);
  });

  it('never lets an older, slower drawing of a view replace the one the reader went to since', async () => {
    await page.goto(`${base}/#outbox`);
    await page.getByRole('heading', { name: 'Outbox' }).first().waitFor();
    // Each view put on the page, in order, by its heading.
    await page.evaluate(`
      window.drawnViews = [];
      const view = document.getElementById('view');
      new MutationObserver(() => window.drawnViews.push(view.querySelector('h2')?.textContent ?? '')).observe(view, {
        childList: true,
      });
    `);
    // The outbox is slow to answer: a refresh of it is still loading when the reader follows a link.
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    await page.route('**/outbox**', async (route) => {
      await held;
      await route.continue();
    });
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.evaluate(`location.hash = '#journey/cart-recovery'`);
    // Held until the journey is drawn: it never is first with draws taking turns, so that wait has
    // a bound (without turns it is drawn within it, and the outbox's answer then came after it).
    await Promise.race([
      page.getByRole('region', { name: 'Preview', exact: true }).waitFor(),
      page.waitForTimeout(1500),
    ]);
    release();
    const drawn = await page.waitForFunction(() => {
      const views = (globalThis as unknown as { drawnViews: string[] }).drawnViews;
      return views.length >= 2 && views;
    });
    await page.unroute('**/outbox**');
    const views = (await drawn.jsonValue()) as string[];
    expect(views[0]).toMatch(/^Outbox/);
    expect(views.at(-1)).toMatch(/^Abandoned cart recovery/);
  });

  it('lists every customer, with or without a profile', async () => {
    await page.getByRole('link', { name: 'Customers', exact: true }).click();
    await page.getByRole('heading', { name: 'Customers', exact: true }).waitFor();
    const ids = await page.locator('main tbody tr td:first-child').allInnerTexts();
    expect(ids).toEqual(['c-ana', 'c-cleo', 'c-dan']);
    expect(await page.locator('tr[data-customer="c-ana"] td:nth-child(2)').innerText()).toBe('yes');
  });

  it('refreshes on its own every few seconds and keeps the reader where they were', async () => {
    const p = await browser.newPage({ viewport: { width: 1400, height: 700 } });
    // The page's timers run on a clock of the test's: the refresh happens when the test says.
    await p.clock.install();
    await p.goto(`${base}/#journey/cart-recovery`);
    const totals = p.getByLabel('Totals');
    await totals.waitFor();
    expect(await totals.innerText()).toMatch(/^Entered 3 /);
    await p.mouse.wheel(0, 600);
    await p.waitForFunction('window.scrollY > 0');
    const scrolled = await p.evaluate('window.scrollY');
    await call('POST', '/events', [cart('e-5', 'c-eve', 90)]);
    await p.clock.runFor(5_000);
    await totals.filter({ hasText: /^Entered 4 / }).waitFor();
    expect(await p.evaluate('window.scrollY')).toBe(scrolled);
    await p.close();
  });

  it('works on a phone: nothing wider than the screen but the diagram and tables, which scroll', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    for (const [name, hash] of [
      ['journey-phone', '#journey/cart-recovery'],
      ['split-phone', '#journey/win-back'],
      ['customer-phone', '#customer/c-dan'],
      ['customers-phone', '#customers'],
      ['behind-phone', '#behind/cart-recovery/kind=sent&step=nudge'],
      ['journeys-phone', '#journeys'],
    ]) {
      await phone.goto(`${base}/${hash}`);
      await phone.locator('#status').filter({ hasText: 'Updated' }).waitFor();
      await shot(phone, name);
      expect([name, await phone.evaluate('document.documentElement.scrollWidth')]).toEqual([name, 390]);
    }
    await phone.close();
  });
});
