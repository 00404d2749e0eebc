/**
 * The console's browser script, as text: plain ES2020 run as is by the browser, so there is no
 * build step and nothing is downloaded at run time. Data from the API only ever reaches the page
 * through text nodes (`el()` below), never as markup; the journey diagrams, which are markup made
 * by Baton's own renderer, are shown through <img> data URLs, where an SVG cannot run script.
 * Kept free of backticks and dollar-braces because it lives inside a template literal.
 */
export const CONSOLE_SCRIPT = String.raw`
'use strict';
const main = document.getElementById('view');
const statusLine = document.getElementById('status');

/** An element with attributes and children; strings become text nodes, never markup. */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}
const time = (iso) => (iso ? String(iso).replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '');
const byReason = (counts) =>
  Object.entries(counts || {}).map(([reason, n]) => reason + ' ' + n).join(', ');
const total = (counts) => Object.values(counts || {}).reduce((s, n) => s + n, 0);
const num = (n) => el('td', { class: n ? 'num' : 'num zero' }, n);
const customerLink = (id) => el('a', { href: '#customer/' + encodeURIComponent(id) }, id);
function table(headers, rows, empty) {
  if (!rows.length) return el('p', { class: 'empty' }, empty);
  return el('table', {}, el('thead', {}, el('tr', {}, headers.map((h) => el('th', {}, h)))), el('tbody', {}, rows));
}

async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await res.json();
  if (!res.ok) throw new Error(body && body.error ? body.error.message : 'HTTP ' + res.status);
  return body;
}

/** A value of a profile or context: nested objects as nested tables, lists joined. */
function value(v) {
  if (v === undefined || v === null || v === '') return el('span', { class: 'zero' }, 'none');
  if (Array.isArray(v)) {
    if (!v.length) return el('span', { class: 'zero' }, 'none');
    if (v.every((x) => typeof x !== 'object' || x === null)) return v.join(', ');
    return el('ol', {}, v.map((x) => el('li', {}, value(x))));
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v);
    if (!entries.length) return el('span', { class: 'zero' }, 'none');
    return el('table', { class: 'kv' }, entries.map(([k, x]) => el('tr', {}, el('th', {}, k), el('td', {}, value(x)))));
  }
  return typeof v === 'string' && /^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(v) ? time(v) : String(v);
}

async function showJourneys() {
  const { journeys } = await getJson('/console/api/journeys');
  const summary = journeys.map((j) => {
    const steps = j.steps;
    return el('tr', {},
      el('td', {}, el('a', { href: '#journey/' + encodeURIComponent(j.id) }, j.name)),
      el('td', {}, j.id + ' v' + j.version),
      num(j.entered), num(total(j.ignored)),
      num(steps.reduce((s, x) => s + x.waiting, 0)),
      num(steps.reduce((s, x) => s + x.sent, 0)),
      num(steps.reduce((s, x) => s + total(x.suppressed), 0)),
      num(total(j.exited)));
  });
  const details = journeys.map((j) =>
    el('article', { class: 'journey', id: 'journey-' + j.id, 'data-journey': j.id },
      el('h3', {}, el('a', { href: '#journey/' + encodeURIComponent(j.id) }, j.name), ' ', el('small', {}, j.id + ' v' + j.version)),
      el('p', { class: 'totals' },
        'Entered ' + j.entered,
        total(j.ignored) ? ' · ignored: ' + byReason(j.ignored) : '',
        total(j.exited) ? ' · exited: ' + byReason(j.exited) : ''),
      j.audience ? audienceSection(j.audience) : null,
      el('div', { class: 'split' },
        table(['Step', 'Type', 'Waiting', 'Sent', 'Suppressed', 'Exited'],
          j.steps.map((s) => el('tr', { 'data-step': s.id },
            el('th', { scope: 'row' }, s.id), el('td', {}, s.type),
            num(s.waiting), num(s.sent),
            el('td', { class: 'num' + (total(s.suppressed) ? '' : ' zero') }, total(s.suppressed),
              total(s.suppressed) ? el('div', { class: 'why' }, byReason(s.suppressed)) : null),
            el('td', { class: 'num' + (total(s.exited) ? '' : ' zero') }, total(s.exited),
              total(s.exited) ? el('div', { class: 'why' }, byReason(s.exited)) : null))),
          'No steps.'),
        el('img', { src: 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(j.svg), alt: 'Diagram of ' + j.name }))));
  main.replaceChildren(
    el('h2', {}, 'Journeys'),
    table(['Journey', 'Id', 'Entered', 'Ignored', 'Waiting', 'Sent', 'Suppressed', 'Exited'], summary, 'No journeys in workflows/.'),
    ...details);
}

/** An audience journey: who, when, the next run, and what each run did. */
function audienceSection(a) {
  const percent = (p) => (p === undefined ? '' : Math.floor(p * 100) + '%');
  return el('section', { class: 'audience', 'aria-label': 'Audience' },
    el('p', { class: 'schedule' },
      'Audience: ' + a.segment + ' · ' + a.schedule + (a.ratePerSecond ? ' · at most ' + a.ratePerSecond + ' a second' : '')),
    el('p', { class: 'next-run' },
      a.nextRun ? 'Next run: ' + a.nextRun.runAt + ', starting ' + time(a.nextRun.startsAt) : 'No run left in the schedule.'),
    table(['Run', 'Version', 'Members', 'Entered', 'Ignored', 'Progress'],
      a.runs.map((r) => el('tr', { 'data-run': r.runAt },
        el('th', { scope: 'row' }, r.runAt), el('td', {}, 'v' + r.version),
        el('td', { class: 'num' }, r.members === undefined ? 'listing…' : r.members),
        num(r.entered),
        el('td', { class: 'num' + (total(r.ignored) ? '' : ' zero') }, total(r.ignored),
          total(r.ignored) ? el('div', { class: 'why' }, byReason(r.ignored)) : null),
        el('td', { class: 'num' }, r.status === 'done' ? 'done' : percent(r.progress)))),
      'No run yet.'));
}

async function showOutbox() {
  const [{ messages }, { dispatches }] = await Promise.all([getJson('/outbox?limit=200'), getJson('/dispatches')]);
  main.replaceChildren(
    el('h2', {}, 'Outbox'),
    el('p', { class: 'hint' }, 'Messages the local engine delivered instead of sending them through SNS or SES, newest first.'),
    table(['At (UTC)', 'Customer', 'Channel', 'To', 'Journey · step', 'Message'],
      messages.map((m) => el('tr', { 'data-message': m.messageId },
        el('td', { class: 'at' }, time(m.at)), el('td', {}, customerLink(m.customerId)), el('td', {}, m.channel),
        el('td', {}, m.to), el('td', {}, m.journey + ' · ' + m.step),
        el('td', { class: 'msg' }, m.subject ? el('strong', {}, m.subject) : null, el('div', {}, m.body)))),
      'The outbox is empty.'),
    el('h2', {}, 'Dispatches'),
    el('p', { class: 'hint' }, 'Actions and hand-offs delivered to destinations that are not configured.'),
    table(['At (UTC)', 'Destination', 'Type', 'Customer', 'Journey · step', 'Body'],
      dispatches.map((d) => el('tr', {},
        el('td', { class: 'at' }, time(d.at)), el('td', {}, d.destination), el('td', {}, d.type),
        el('td', {}, d.body.customerId ? customerLink(d.body.customerId) : ''),
        el('td', {}, (d.body.journey || '') + ' · ' + (d.body.step || '')),
        el('td', {}, value(d.body.payload || d.body.carried)))),
      'No dispatches.'));
}

/** The form that opens a customer's page by id. */
function lookupForm(id) {
  const input = el('input', { name: 'customerId', id: 'customer-id', value: id || '', placeholder: 'c-ana', required: '' });
  const form = el('form', { class: 'lookup' }, el('label', { for: 'customer-id' }, 'Customer id'), input,
    el('button', { type: 'submit' }, 'Look up'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = '#customer/' + encodeURIComponent(input.value.trim());
  });
  return form;
}

async function showCustomer(id) {
  if (!id) return showCustomers('');
  const form = lookupForm(id);
  const part = (path) => getJson(path).then((b) => ({ ok: true, b }), (e) => ({ ok: false, e }));
  const base = '/customers/' + encodeURIComponent(id);
  const [profile, context, timeline, consent] = await Promise.all([
    part(base + '/profile'), part(base + '/context'), part(base + '/timeline?limit=200'), part(base + '/consent')]);
  const show = (r, render) => (r.ok ? render(r.b) : el('p', { class: 'empty' }, r.e.message));
  main.replaceChildren(
    el('p', { class: 'crumbs' }, el('a', { href: '#customers' }, 'Customers'), ' › ', id),
    el('h2', {}, 'Customer ' + id),
    form,
    el('div', { class: 'split' },
      el('section', { 'aria-label': 'Profile' }, el('h3', {}, 'Profile'), show(profile, value)),
      el('section', { 'aria-label': 'Context' }, el('h3', {}, 'Context'), show(context, (c) => {
        const { customerId, ...rest } = c;
        return value(rest);
      })),
      el('section', { 'aria-label': 'Consent history' }, el('h3', {}, 'Consent history'), show(consent, (c) =>
        table(['At (UTC)', 'Channel', 'Status', 'Source'],
          c.history.slice().reverse().map((h) => el('tr', { class: 'consent-' + h.status },
            el('td', { class: 'at' }, time(h.at)), el('td', {}, h.channel), el('td', {}, h.status), el('td', {}, h.source || ''))),
          'No consent change recorded.')))),
    el('section', { 'aria-label': 'Timeline' }, el('h3', {}, 'Timeline'), show(timeline, (t) => el('div', { class: 'scroll' },
      table(['At (UTC)', 'What', 'Journey', 'Step', 'Channel', 'Detail'],
        t.entries.map((e) => el('tr', { class: 'kind-' + e.kind },
          el('td', { class: 'at' }, time(e.at)), el('td', {}, e.kind), el('td', {}, el('a', { href: '#journey/' + encodeURIComponent(e.journey) }, e.journey), ' v' + e.version),
          el('td', {}, e.step || ''), el('td', {}, e.channel || ''),
          el('td', {}, [e.reason, e.template].filter(Boolean).join(' · ')))),
        'Nothing in the timeline of ' + id + '.')))));
}

/**
 * The engine's time in the header. It is read now and then, and run on here in between at the
 * engine's speed, so a clock sped up with --speed is seen racing ahead.
 */
const engineLine = document.getElementById('engine-time');
let engine;
function showClock() {
  if (!engine) return;
  const speed = engine.speed;
  const at = speed ? engine.at + (Date.now() - engine.read) * speed : engine.at;
  engineLine.textContent = 'Engine time ' + time(new Date(at).toISOString()) +
    (speed === null ? ' (virtual)' : speed === 1 ? ' (real time)' : ' (x' + speed + ')');
}
async function readClock() {
  try {
    const c = await getJson('/console/api/clock');
    engine = { at: Date.parse(c.now), read: Date.now(), speed: c.speed };
    showClock();
  } catch (err) {
    engine = undefined;
    engineLine.textContent = 'Engine time unknown: ' + err.message;
  }
}
setInterval(showClock, 1000);
setInterval(readClock, 10000);

/**
 * Draw the view named by the address's #fragment, so the back button and reloads work. Draws
 * take turns: a draw started while another is under way (a refresh still loading when the reader
 * follows a link) starts once it is done, so a slower, older draw never replaces a newer one.
 */
let drawn = Promise.resolve();
function render(opts) {
  const next = drawn.then(() => drawView(opts));
  drawn = next.catch(() => {});
  return next;
}
async function drawView(opts) {
  const quiet = Boolean(opts && opts.quiet);
  const hash = location.hash.slice(1);
  const [view, ...rest] = hash.split('/');
  const arg = rest.length ? decodeURIComponent(rest.join('/')) : '';
  const tab = view === 'journey' || view === 'behind' ? 'journeys' : view === 'customer' ? 'customers' : view || 'journeys';
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('on', a.dataset.view === tab);
  if (!quiet) statusLine.textContent = 'Loading…';
  void readClock();
  // Drawn again in place: the reader stays where they were on the page.
  const x = window.scrollX;
  const y = window.scrollY;
  try {
    if (view !== 'journey') dropCharts();
    if (view === 'outbox') await showOutbox();
    else if (view === 'customer') await showCustomer(arg);
    else if (view === 'customers') await showCustomers(rest.join('/'));
    else if (view === 'journey' && arg) await showJourney(arg);
    // The filter is a query string of its own: decoded by URLSearchParams, not here.
    else if (view === 'behind') await showBehind(decodeURIComponent(rest[0] || ''), rest.slice(1).join('/'));
    else await showJourneys();
    if (quiet) window.scrollTo(x, y);
    statusLine.textContent = 'Updated ' + new Date().toLocaleTimeString();
  } catch (err) {
    statusLine.textContent = 'Could not load: ' + err.message;
  }
}
/**
 * Refreshed on its own every few seconds, unless the reader is typing, has the tab hidden, or a
 * refresh is still under way; a view with a form of its own (a preview) keeps what was chosen.
 */
const REFRESH_MS = 5000;
let refreshing = false;
setInterval(async () => {
  const typing = document.activeElement && /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName);
  if (document.hidden || typing || refreshing) return;
  refreshing = true;
  try {
    await render({ quiet: true });
  } finally {
    refreshing = false;
  }
}, REFRESH_MS);
document.getElementById('refresh').addEventListener('click', () => render());
window.addEventListener('hashchange', () => render());
render();
`;
