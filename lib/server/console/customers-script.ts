/**
 * The console's customer lists, as browser script text run before script.ts: the customers
 * behind a count (`#behind/<journey>/<filter>`, from a journey page) and every customer
 * (`#customers`), a page at a time, each a link to the customer's page. Both read local-only
 * routes (GET /journeys/{id}/customers, GET /customers).
 * Kept free of backticks and dollar-braces because it lives inside a template literal.
 */
// biome-ignore lint/complexity/noUselessStringRaw: raw like the console's other scripts, so a regex added later keeps its backslashes
export const CUSTOMERS_SCRIPT = String.raw`
'use strict';
/** Where a paged list goes on: the cursors of the pages before this one, so "Previous" works. */
function pager(here, next, cursors) {
  const prev = cursors.slice(0, -1);
  const link = (label, list) => el('a', { href: here + list.map(encodeURIComponent).join('~'), class: 'page' }, label);
  return el('p', { class: 'pager' },
    cursors.length ? link('‹ Previous', prev) : null,
    cursors.length && next ? ' · ' : null,
    next ? link('Next ›', cursors.concat([next])) : null);
}
/** "a~b~c" → the cursors of the pages seen so far. */
const cursorsOf = (text) => (text ? text.split('~').map(decodeURIComponent) : []);

async function showBehind(journey, filterText) {
  const [query, cursorText] = (filterText || '').split('~~');
  const cursors = cursorsOf(cursorText);
  const q = new URLSearchParams(query);
  if (cursors.length) q.set('cursor', cursors[cursors.length - 1]);
  const page = await getJson('/journeys/' + encodeURIComponent(journey) + '/customers?' + q.toString());
  const f = page.filter;
  const what = f.kind + (f.step ? ' at ' + f.step : '') + (f.reason ? ': ' + f.reason : '') + (f.channel ? ' by ' + f.channel : '');
  main.replaceChildren(
    el('p', { class: 'crumbs' }, el('a', { href: '#journeys' }, 'Journeys'), ' › ',
      el('a', { href: '#journey/' + encodeURIComponent(journey) }, journey), ' › ', what),
    el('h2', {}, 'Customers ' + what),
    el('p', { class: 'hint' }, 'Customers whose timeline in ' + journey + ' has a line "' + what + '", by id.'),
    el('div', { class: 'scroll' }, table(['Customer', 'Lines', 'Latest (UTC)'],
      page.customers.map((c) => el('tr', { 'data-customer': c.customerId },
        el('td', {}, customerLink(c.customerId)), num(c.lines), el('td', { class: 'at' }, time(c.lastAt)))),
      'No customer has such a line.')),
    pager('#behind/' + encodeURIComponent(journey) + '/' + query + '~~', page.next, cursors));
}

async function showCustomers(cursorText) {
  const cursors = cursorsOf(cursorText);
  const page = await getJson('/customers?limit=50' + (cursors.length ? '&cursor=' + encodeURIComponent(cursors[cursors.length - 1]) : ''));
  main.replaceChildren(
    el('h2', {}, 'Customers'),
    lookupForm(''),
    el('div', { class: 'scroll' }, table(['Customer', 'Profile', 'Timeline lines', 'Latest (UTC)'],
      page.customers.map((c) => el('tr', { 'data-customer': c.customerId },
        el('td', {}, customerLink(c.customerId)), el('td', {}, c.profile ? 'yes' : el('span', { class: 'zero' }, 'none')),
        num(c.lines), el('td', { class: 'at' }, time(c.lastAt)))),
      'No customers yet.')),
    pager('#customers/', page.next, cursors));
}
`;
