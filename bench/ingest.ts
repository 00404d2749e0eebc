/**
 * Ingest under load: `baton dev` (LMDB on disk, the workflows/ journeys) on loopback, driven by
 * autocannon with unique events: nine in ten are session touchpoints (`page.viewed`), one in ten a
 * cart abandonment that starts a journey. `accepted` is answered once an event is stored; it is
 * processed behind the answer.
 *
 * Two loads on one data dir. The first, BENCH_INGEST_SECONDS long (default 20), gives the rate
 * and latency. During the second (a quarter as long, at least 4 s) the server is killed with
 * SIGKILL half-way, started again on the same data dir, and left to finish what it had accepted.
 * Then the data dir is read back: every event answered `accepted` must be done, and no touchpoint
 * counted twice — each session counts exactly the events of it that were stored, each once.
 * The baseline is a bare node:http server that parses the same bodies and answers, under the
 * same load (for half as long), in the same run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Segment } from '../lib/core/sessions';
import { DEFAULT_SESSION_TIMEOUT_SECONDS } from '../lib/journey/escalation-rules';
import { keys } from '../lib/store/keys';
import { openLocalStore } from '../lib/store/local-store';
import type { Figure } from './engine-throughput';

// autocannon ships no types.
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Cannon;
interface Cannon extends Promise<CannonResult> {
  stop(): void;
}
interface CannonResult {
  latency: { p50: number; p99: number };
  requests: { average: number; total: number };
  duration: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

const CONNECTIONS = 16;
const CUSTOMERS = 5000;

/** The customer and session of the i-th event of a load. */
const customerOf = (i: number) => `c-${i % CUSTOMERS}`;
const sessionOf = (i: number) => `s-${i % CUSTOMERS}`;

/** The i-th event of the load `load` (ids `<load>-<i>`, so the two loads never share one). */
function event(load: string, i: number): string {
  const time = new Date().toISOString();
  const base = { id: `${load}-${i}`, customerId: customerOf(i), channel: 'web', time };
  if (i % 10 === 0) {
    return JSON.stringify({ ...base, type: 'checkout.abandoned', data: { cartId: `k-${load}-${i}`, value: 40 } });
  }
  return JSON.stringify({ ...base, type: 'page.viewed', sessionId: sessionOf(i), data: { page: '/basket' } });
}

/** Start a server script in a child process; resolves with its base URL once it prints it. */
function serve(args: string[]): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve({ child, base: `http://127.0.0.1:${m[1]}` });
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** Load the server for `seconds` (or until `cannon.stop()`); the figures and the ids it answered `accepted`. */
function load(base: string, name: string, seconds: number): { cannon: Cannon; accepted: Set<string> } {
  let n = 0;
  const accepted = new Set<string>();
  const cannon = autocannon({
    url: `${base}/events`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req: Record<string, unknown>) => ({ ...req, body: event(name, n++) }),
        onResponse: (status: number, body: string) => {
          if (status !== 200) return;
          for (const r of (JSON.parse(body) as { results: { id: string; status: string }[] }).results)
            if (r.status === 'accepted') accepted.add(r.id);
        },
      },
    ],
  });
  return { cannon, accepted };
}

/** Start `baton dev` on the data dir (the sample profiles seed it the first time). */
const startDev = (dataDir: string) =>
  serve([
    join('bin', 'baton.cjs'),
    'dev',
    '--port',
    '0',
    '--data-dir',
    dataDir,
    '--workflows',
    'workflows',
    '--profiles',
    'samples/profiles.json',
  ]);

/** Poll the server until no accepted event waits; how many waited at first, and how long it took. */
async function drained(base: string): Promise<{ waiting: number; ms: number }> {
  const t = performance.now();
  let first: number | undefined;
  for (;;) {
    const { eventsWaiting } = (await (await fetch(`${base}/health`)).json()) as { eventsWaiting: number };
    first ??= eventsWaiting;
    if (eventsWaiting === 0) return { waiting: first, ms: Math.round(performance.now() - t) };
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Read the data dir back: accepted events not done, and sessions whose touchpoint count is not the
 * number of their events stored (a count above it is an event counted twice).
 */
async function check(dataDir: string, accepted: Set<string>) {
  const store = await openLocalStore({ path: dataDir });
  try {
    const records = await store.table.scanPrefix('E#');
    const done = new Set(records.filter((i) => i.status === 'done').map((i) => i.pk.slice(2)));
    const notDone = records.filter((i) => i.status !== 'done').length;
    const lost = [...accepted].filter((id) => !done.has(id)).length;
    // Every page.viewed stored, by session (`<load>-<i>` tells which).
    const stored = new Map<string, Set<string>>();
    for (const r of records) {
      if (r.type !== 'page.viewed') continue;
      const id = r.pk.slice(2);
      const session = sessionOf(Number(id.slice(id.lastIndexOf('-') + 1)));
      if (!stored.has(session)) stored.set(session, new Set());
      stored.get(session)!.add(id);
    }
    let twice = 0;
    let missing = 0;
    for (const [session, ids] of stored) {
      const i = Number(session.slice(2));
      const item = await store.table.get(keys.customer(customerOf(i)), keys.session(session));
      const segment = (item?.segments as Record<string, Segment> | undefined)?.[
        String(DEFAULT_SESSION_TIMEOUT_SECONDS)
      ];
      const counted = segment?.touchpoints ?? 0;
      if (counted > ids.size) twice += counted - ids.size;
      else missing += ids.size - counted;
    }
    return { lost, notDone, twice, missing, stored: records.length };
  } finally {
    await store.close();
  }
}

const BARE_SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const e = JSON.parse(body);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ failedCount: 0, results: [{ id: e.id, status: 'accepted' }] }));
  });
});
server.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

export async function ingestUnderLoad(): Promise<Figure[]> {
  const seconds = Number(process.env.BENCH_INGEST_SECONDS ?? 20);
  const crashSeconds = Math.max(4, Math.round(seconds / 4));
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-bench-ingest-'));
  try {
    let dev = await startDev(dataDir);
    const measured = load(dev.base, 'load', seconds);
    const result = await measured.cannon;
    const backlog = await drained(dev.base);

    // The second load, killed half-way, then a start on the same data dir.
    const crash = load(dev.base, 'crash', crashSeconds);
    await new Promise((r) => setTimeout(r, (crashSeconds * 1000) / 2));
    await stop(dev.child, 'SIGKILL');
    crash.cannon.stop();
    const crashResult = await crash.cannon;
    dev = await startDev(dataDir);
    const recovered = await drained(dev.base);
    await stop(dev.child);
    const accepted = new Set([...measured.accepted, ...crash.accepted]);
    const found = await check(dataDir, accepted);

    // The ceiling of the HTTP layer alone: steady within seconds, so half the time.
    const bare = await serve(['-e', BARE_SERVER]);
    const base = await load(bare.base, 'bare', Math.max(5, Math.round(seconds / 2))).cannon;
    await stop(bare.child);

    const rate = (r: CannonResult) => `${Math.round(r.requests.average).toLocaleString('en-US')}/s`;
    const lat = (r: CannonResult) => `p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms`;
    const n = (x: number) => x.toLocaleString('en-US');
    return [
      {
        name: `ingest: events accepted, ${seconds} s, ${CONNECTIONS} connections`,
        value: rate(result),
        baseline: rate(base),
        note: `baseline: a bare node:http server parsing the same bodies; ${n(measured.accepted.size)} accepted, ${result.non2xx} non-2xx, ${result.errors} errors; ${n(backlog.waiting)} still waiting to be processed at the end, done ${n(backlog.ms)} ms later`,
      },
      {
        name: 'ingest: latency',
        value: lat(result),
        baseline: lat(base),
        note: 'one event per request, answered once stored; processing follows',
      },
      {
        name: 'ingest: accepted events not processed, across a kill -9',
        value: String(found.lost),
        baseline: '0',
        note: `a second load of ${crashSeconds} s killed half-way (${n(crash.accepted.size)} accepted, ${crashResult.errors} errors), restarted on the data dir: ${n(recovered.waiting)} waiting at start, done in ${n(recovered.ms)} ms; ${n(found.stored)} events stored, ${found.notDone} not done`,
      },
      {
        name: 'ingest: touchpoints counted twice / missing',
        value: `${found.twice} / ${found.missing}`,
        baseline: '0 / 0',
        note: 'per session, the touchpoint count read back against the page.viewed events stored',
      },
    ];
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
