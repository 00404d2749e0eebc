/**
 * The console's one HTML page, with its style and script inline: `baton dev` serves it at `/`
 * with no request beyond its own server (its API, and Chart.js bundled at /console/chart.js).
 * The Content-Security-Policy meta tag makes that a promise: the browser refuses any script,
 * style or fetch from elsewhere.
 */
import { CUSTOMERS_SCRIPT } from './customers-script';
import { JOURNEY_SCRIPT } from './journey-script';
import { PREVIEW_SCRIPT } from './preview-script';
import { CONSOLE_SCRIPT } from './script';

const STYLE = `
:root { color-scheme: light; --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --accent: #0369a1; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f8fafc; }
header { display: flex; align-items: center; gap: 24px; padding: 10px 24px; background: #0f172a; color: #fff; }
header h1 { font-size: 17px; margin: 0; font-weight: 600; }
nav { display: flex; gap: 4px; }
nav a { color: #cbd5e1; text-decoration: none; padding: 5px 12px; border-radius: 6px; }
nav a.on, nav a:hover { background: #1e293b; color: #fff; }
header .right { margin-left: auto; display: flex; align-items: center; gap: 12px; font-size: 12px; color: #94a3b8; }
#engine-time { color: #e2e8f0; font-variant-numeric: tabular-nums; }
button { font: inherit; padding: 5px 14px; border: 1px solid #cbd5e1; border-radius: 6px; background: #fff; color: var(--ink); cursor: pointer; }
header button { background: #1e293b; color: #fff; border-color: #334155; }
main { padding: 8px 24px 48px; max-width: 1500px; }
h2 { font-size: 18px; margin: 24px 0 8px; }
h3 { font-size: 15px; margin: 20px 0 8px; }
h3 small { color: var(--muted); font-weight: normal; margin-left: 6px; }
a { color: var(--accent); }
table { border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: #f1f5f9; font-weight: 600; font-size: 12px; color: #334155; }
tbody th { font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.zero { color: #cbd5e1; }
.why { font-size: 11px; color: var(--muted); white-space: nowrap; }
.at { white-space: nowrap; font-variant-numeric: tabular-nums; color: #334155; }
.msg { max-width: 420px; white-space: pre-wrap; }
.hint, .totals, .empty { color: var(--muted); margin: 4px 0 10px; }
article.journey { border-top: 1px solid var(--line); margin-top: 24px; }
section.audience p { margin: 4px 0; }
section.audience table { margin: 6px 0 12px; }
.split { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
.split img { max-width: 100%; height: auto; border: 1px solid var(--line); background: #fff; }
table.kv { border: 0; }
table.kv th { color: var(--muted); font-weight: normal; padding-left: 0; }
ol { margin: 0; padding-left: 18px; }
form.lookup { display: flex; gap: 8px; align-items: center; margin: 8px 0 16px; }
form.lookup input { font: inherit; padding: 5px 8px; border: 1px solid #cbd5e1; border-radius: 6px; width: 240px; }
tr.kind-sent td:nth-child(2) { color: #15803d; }
tr.kind-suppressed td:nth-child(2), tr.kind-ignored td:nth-child(2) { color: #b45309; }
tr.kind-exited td:nth-child(2) { color: var(--muted); }
.crumbs { color: var(--muted); margin: 16px 0 0; }
h2 small, h4 { color: var(--muted); font-weight: normal; }
h4 { margin: 10px 0 4px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 440px), 1fr)); gap: 16px 32px; align-items: start; }
.chart { position: relative; height: 260px; background: #fff; border: 1px solid var(--line); padding: 8px; }
.scroll { overflow-x: auto; max-width: 100%; }
.canvas-diagram { position: relative; display: inline-block; max-width: 100%; }
.canvas-diagram img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line); background: #fff; }
.badge { position: absolute; transform: translate(-100%, -75%); font-size: 11px; line-height: 1.3; white-space: nowrap; background: #fffbeb; border: 1px solid #f59e0b; border-radius: 10px; padding: 1px 7px; color: #78350f; }
.badge a { color: #9a3412; font-weight: 600; }
.badge .waiting { color: #6d28d9; }
a.count { font-weight: 600; }
.pager { margin: 10px 0; }
section.preview-out article { background: #fff; border: 1px solid var(--line); padding: 8px 12px; margin: 8px 0; }
section.preview-out pre { white-space: pre-wrap; margin: 6px 0 0; font: inherit; }
.missing { color: #b91c1c; }
form.preview { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
form.preview input, form.preview select { font: inherit; padding: 5px 8px; border: 1px solid #cbd5e1; border-radius: 6px; }
@media (max-width: 700px) {
  header { flex-wrap: wrap; gap: 6px 12px; padding: 8px 12px; }
  header .right { margin-left: 0; width: 100%; justify-content: space-between; }
  nav { overflow-x: auto; }
  main { padding: 4px 12px 32px; }
  form.lookup { flex-wrap: wrap; }
  form.lookup input { width: 100%; }
  .split { gap: 8px; }
  .split > * { max-width: 100%; overflow-x: auto; }
  main table:not(.kv) { display: block; overflow-x: auto; max-width: 100%; width: fit-content; }
  .split img { max-width: 100%; }
  /* At its own size, scrolled sideways: shrunk to a phone's width its boxes could not be read under the counts. */
  .canvas-diagram, .canvas-diagram img { max-width: none; }
  th, td { padding: 4px 6px; }
  .chart { height: 220px; }
}
`;

/** The whole page, ready to send as text/html. */
export const CONSOLE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; connect-src 'self'; img-src data:; style-src 'unsafe-inline'; script-src 'self' 'unsafe-inline'; form-action 'none'; base-uri 'none'">
<link rel="icon" href="data:,">
<title>Baton console</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>Baton console</h1>
  <nav>
    <a href="#journeys" data-view="journeys">Journeys</a>
    <a href="#customers" data-view="customers">Customers</a>
    <a href="#outbox" data-view="outbox">Outbox</a>
  </nav>
  <div class="right"><span id="engine-time" title="The engine's clock: it decides when waits end and messages go"></span><span id="status" role="status"></span><button id="refresh" type="button">Refresh</button></div>
</header>
<main id="view"></main>
<script src="/console/chart.js"></script>
<script>${JOURNEY_SCRIPT}</script>
<script>${PREVIEW_SCRIPT}</script>
<script>${CUSTOMERS_SCRIPT}</script>
<script>${CONSOLE_SCRIPT}</script>
</body>
</html>
`;
