/**
 * The console's journey page (`#journey/<id>`), as browser script text run before script.ts: the
 * diagram with each step's counts drawn on its box (each count a link to the customers behind
 * it), the funnel, conversion per day, split paths with their 95% intervals and uplift, and the
 * channel × hour-of-week heat map. Charts are Chart.js (`window.Chart`, from /console/chart.js);
 * numbers come from the results API (SPEC §7), waiting counts and the diagram from the console's.
 * Kept free of backticks and dollar-braces because it lives inside a template literal.
 */
export const JOURNEY_SCRIPT = String.raw`
'use strict';
/** The charts on the page now: destroyed before the page is drawn again. */
let charts = [];
const pct = (r) => (Math.round(r * 1000) / 10) + '%';
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The address of the customers behind a count. */
function behindHref(journey, filter) {
  const q = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined && v !== ''));
  return '#behind/' + encodeURIComponent(journey) + '/' + q.toString();
}
/** A count that links to its customers when there are any. */
function countLink(n, journey, filter, label) {
  const text = label === undefined ? String(n) : label;
  return n ? el('a', { href: behindHref(journey, filter), class: 'count' }, text) : el('span', { class: 'zero' }, text);
}
function reasonLinks(counts, journey, filter) {
  const entries = Object.entries(counts || {});
  if (!entries.length) return el('span', { class: 'zero' }, '0');
  return el('span', {}, entries.map(([reason, n], i) => [i ? ', ' : '',
    countLink(n, journey, Object.assign({}, filter, { reason }), reason + ': ' + n)]));
}

/** A canvas in a box of fixed height (so redrawing never moves the page), and its chart. */
function chartBox(label, cls) {
  const canvas = el('canvas', { role: 'img', 'aria-label': label });
  return { box: el('div', { class: 'chart ' + (cls || '') }, canvas), canvas };
}
/** Destroy the charts drawn before: a page drawn again, or another view. */
function dropCharts() {
  for (const c of charts) c.destroy();
  charts = [];
}
function draw(canvas, config) {
  config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options);
  charts.push(new Chart(canvas, config));
}

async function showJourney(id) {
  const enc = encodeURIComponent(id);
  const [{ journeys }, results, daily] = await Promise.all([
    getJson('/console/api/journeys'), getJson('/journeys/' + enc + '/results'), getJson('/console/api/journeys/' + enc + '/daily')]);
  const j = journeys.find((x) => x.id === id);
  if (!j) throw new Error('no journey ' + id);
  const event = j.trigger;
  const effect = await getJson('/channels/effectiveness' + (event ? '?event=' + encodeURIComponent(event) : ''));
  const steps = j.steps.map((s) => Object.assign({ visits: 0 }, results.steps[s.id] || {}, { id: s.id, type: s.type, waiting: s.waiting }));

  const funnel = chartBox('Funnel of ' + j.name, 'funnel');
  const perDay = chartBox('Conversion per day of ' + j.name);
  const heat = chartBox('Engagement by channel and hour of the week', 'heat');
  const splitBoxes = Object.entries(results.splits).map(([step, paths]) => ({ step, paths, chart: chartBox('Conversion by path of ' + step) }));

  const content = el('div', { class: 'journey-page', 'data-journey': j.id },
    el('p', { class: 'crumbs' }, el('a', { href: '#journeys' }, 'Journeys'), ' › ', j.name),
    el('h2', {}, j.name, ' ', el('small', {}, j.id + ' v' + results.version)),
    el('p', { class: 'totals', 'aria-label': 'Totals' },
      'Entered ', countLink(results.entered, j.id, { kind: 'entered' }),
      ' · converted ' + results.converted + (results.entered ? ' (' + pct(results.converted / results.entered) + ')' : ''),
      ' · ignored: ', reasonLinks(results.ignored, j.id, { kind: 'ignored' }),
      ' · exited: ', reasonLinks(results.exited, j.id, { kind: 'exited' })),
    j.audience ? audienceSection(j.audience) : null,
    el('section', { class: 'diagram', 'aria-label': 'Diagram' }, el('h3', {}, 'Steps'), diagramWithCounts(j, steps)),
    el('div', { class: 'grid' },
      el('section', { 'aria-label': 'Funnel' }, el('h3', {}, 'Funnel'), funnel.box),
      el('section', { 'aria-label': 'Conversion over time' }, el('h3', {}, 'Conversion per day'),
        daily.days.length ? perDay.box : el('p', { class: 'empty' }, 'No entries yet.'))),
    splitBoxes.length ? el('section', { 'aria-label': 'Split paths' }, el('h3', {}, 'Split paths', el('small', {}, 'conversion with its 95% interval; uplift over the holdout')),
      splitBoxes.map((s) => el('div', { class: 'split-step', 'data-split': s.step }, el('h4', {}, s.step), el('div', { class: 'grid' }, s.chart.box, splitTable(s.paths))))) : null,
    el('section', { 'aria-label': 'Channels by hour' },
      el('h3', {}, 'Channels by hour of the week', el('small', {}, (event ? 'sends of journeys triggered by ' + event : 'all sends') + ', in each customer\'s local time')),
      effect.hours.length ? heat.box : el('p', { class: 'empty' }, 'Nothing sent yet.')),
    el('section', { 'aria-label': 'Step counts' }, el('h3', {}, 'Step counts'), el('div', { class: 'scroll' }, stepTable(j.id, steps))),
    el('section', { 'aria-label': 'Preview', id: 'preview' }, el('h3', {}, 'Preview'), previewForm(j)));

  dropCharts();
  main.replaceChildren(content);
  drawFunnel(funnel.canvas, results, steps);
  if (daily.days.length) drawDaily(perDay.canvas, daily.days);
  for (const s of splitBoxes) drawSplit(s.chart.canvas, s.paths);
  if (effect.hours.length) drawHeat(heat.canvas, effect.hours);
  await restorePreview(j);
}

/** The diagram, with each step's counts on its box as links: a phone scrolls it sideways. */
function diagramWithCounts(j, steps) {
  const byId = Object.fromEntries(steps.map((s) => [s.id, s]));
  const badges = j.boxes.map((b) => {
    const s = byId[b.step];
    if (!s) return null;
    const sent = total(s.sent);
    const suppressed = total(s.suppressed);
    return el('div', { class: 'badge', 'data-step': b.step,
      style: 'left:' + (100 * (b.x + b.width)) + '%;top:' + (100 * b.y) + '%' },
      el('span', {}, s.visits + (s.visits === 1 ? ' visit' : ' visits')),
      s.type === 'send' ? [' · ', countLink(sent, j.id, { kind: 'sent', step: s.id }, sent + ' sent')] : null,
      suppressed ? [' · ', countLink(suppressed, j.id, { kind: 'suppressed', step: s.id }, suppressed + ' suppressed')] : null,
      s.waiting ? el('span', { class: 'waiting' }, ' · ' + s.waiting + ' waiting') : null);
  });
  return el('div', { class: 'scroll' }, el('div', { class: 'canvas-diagram' },
    el('img', { src: 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(j.svg), alt: 'Diagram of ' + j.name }), badges));
}

function stepTable(journey, steps) {
  return table(['Step', 'Type', 'Visits', 'Waiting', 'Sent', 'Suppressed', 'Delivered', 'Engaged', 'Failed'],
    steps.map((s) => el('tr', { 'data-step': s.id },
      el('th', { scope: 'row' }, s.id), el('td', {}, s.type), num(s.visits), num(s.waiting),
      el('td', { class: 'num' }, s.sent ? [countLink(total(s.sent), journey, { kind: 'sent', step: s.id }),
        total(s.sent) ? el('div', { class: 'why' }, byReason(s.sent)) : null] : ''),
      el('td', { class: 'num' }, s.suppressed ? [countLink(total(s.suppressed), journey, { kind: 'suppressed', step: s.id }),
        total(s.suppressed) ? el('div', { class: 'why' }, reasonLinks(s.suppressed, journey, { kind: 'suppressed', step: s.id })) : null] : ''),
      s.type === 'send' ? num(s.delivered) : el('td', {}), s.type === 'send' ? num(s.engaged) : el('td', {}),
      s.type === 'send' ? num(s.failed) : el('td', {}))),
    'No steps.');
}

function splitTable(paths) {
  const range = (ci) => pct(ci[0]) + ' – ' + pct(ci[1]);
  return el('div', { class: 'scroll' }, table(['Path', 'Entered', 'Converted', 'Rate (95%)', 'Uplift over holdout (95%)'],
    paths.map((p) => el('tr', { 'data-path': p.path },
      el('th', { scope: 'row' }, pathName(p), p.optimized ? el('div', { class: 'why' }, 'chosen for new entries ' + time(p.optimized)) : null),
      num(p.entered), num(p.converted),
      el('td', { class: 'num' }, pct(p.rate), el('div', { class: 'why' }, range(p.ci95))),
      el('td', { class: 'num' }, p.uplift ? [(p.uplift.rate >= 0 ? '+' : '') + pct(p.uplift.rate), el('div', { class: 'why' }, range(p.uplift.ci95))] : ''))),
    'No paths.'));
}
const pathName = (p) => 'path ' + p.path + (p.next ? ' → ' + p.next : p.exit ? ' (' + p.exit + ')' : '');

function drawFunnel(canvas, results, steps) {
  const bars = [['entered', results.entered]]
    .concat(steps.filter((s) => s.type === 'send').map((s) => [s.id + ' sent', total(s.sent)]))
    .concat([['converted', results.converted]]);
  draw(canvas, { type: 'bar',
    data: { labels: bars.map((b) => b[0]), datasets: [{ label: 'customers', data: bars.map((b) => b[1]), backgroundColor: '#0369a1' }] },
    options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } } });
}

function drawDaily(canvas, days) {
  draw(canvas, { type: 'bar',
    data: { labels: days.map((d) => d.day), datasets: [
      { label: 'entered', data: days.map((d) => d.entered), backgroundColor: '#bae6fd', yAxisID: 'n' },
      { label: 'converted', data: days.map((d) => d.converted), backgroundColor: '#0369a1', yAxisID: 'n' },
      { type: 'line', label: 'rate', data: days.map((d) => d.rate * 100), borderColor: '#15803d', backgroundColor: '#15803d', yAxisID: 'rate' }] },
    options: { scales: { n: { position: 'left', beginAtZero: true, ticks: { precision: 0 } },
      rate: { position: 'right', min: 0, max: 100, grid: { drawOnChartArea: false }, ticks: { callback: (v) => v + '%' } } } } });
}

/** Each path's 95% interval as a floating bar, its rate as a point on it. */
function drawSplit(canvas, paths) {
  draw(canvas, { type: 'bar',
    data: { labels: paths.map(pathName), datasets: [
      { label: '95% interval', data: paths.map((p) => [p.ci95[0] * 100, p.ci95[1] * 100]), backgroundColor: 'rgba(3,105,161,0.25)', borderColor: '#0369a1', borderWidth: 1 },
      { type: 'line', label: 'rate', data: paths.map((p) => p.rate * 100), showLine: false, pointRadius: 6, pointStyle: 'rectRot', borderColor: '#0f172a', backgroundColor: '#0f172a' }] },
    options: { indexAxis: 'y', scales: { x: { min: 0, max: 100, ticks: { callback: (v) => v + '%' } } } } });
}

/**
 * Channel × hour of the week: a row per channel and weekday, a column per hour of the customer's
 * day, a cell per hour with sends, darker the larger the share engaged.
 */
function drawHeat(canvas, hours) {
  const channels = [...new Set(hours.map((h) => h.channel))];
  const rows = channels.flatMap((c) => DAYS.map((d) => c + ' ' + d));
  canvas.parentElement.style.height = (60 + rows.length * 24) + 'px';
  const colour = (r) => 'rgba(3,105,161,' + (0.15 + 0.85 * r).toFixed(2) + ')';
  const cell = (ctx) => {
    const a = ctx.chart.chartArea;
    return a ? Math.max(3, 0.6 * Math.min(a.width / 24, a.height / rows.length)) : 5;
  };
  draw(canvas, { type: 'scatter',
    data: { datasets: [{ label: 'sent', data: hours.map((h) => ({
      x: (h.hourOfWeek % 24) + 0.5, y: channels.indexOf(h.channel) * 7 + Math.floor(h.hourOfWeek / 24), h })),
      pointStyle: 'rect', pointRadius: cell, pointHoverRadius: cell,
      backgroundColor: hours.map((h) => colour(h.rate)), borderColor: '#0f172a', borderWidth: 0.5 }] },
    options: { plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => {
      const h = c.raw.h;
      return h.channel + ' ' + DAYS[Math.floor(h.hourOfWeek / 24)] + ' ' + (h.hourOfWeek % 24) + ':00 · sent ' + h.sent + ', delivered ' + h.delivered + ', engaged ' + h.engaged + ' (' + pct(h.rate) + ')';
    } } } },
    scales: { x: { type: 'linear', min: 0, max: 24, ticks: { stepSize: 3, callback: (v) => v + ':00' } },
      // A tick (and so a label) on each row's centre, not on the cell edges a step from the minimum would give.
      y: { type: 'linear', min: -0.5, max: rows.length - 0.5, reverse: true,
        afterBuildTicks: (axis) => { axis.ticks = rows.map((_, i) => ({ value: i })); },
        ticks: { autoSkip: false, callback: (v) => rows[v] || '' } } } } });
}
`;
