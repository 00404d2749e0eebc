/**
 * Ingest under load: `baton dev` (LevelDB on disk, the workflows/ journeys) on loopback, driven by
 * autocannon for BENCH_INGEST_SECONDS (default 20) with unique events: nine in ten are session
 * touchpoints (`page.viewed`), one in ten a cart abandonment that starts a journey. Afterwards the
 * data dir is read back to check that every accepted event was processed. The baseline is a bare
 * node:http server that parses the same bodies and answers, under the same load (for half as
 * long), in the same run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalStore } from '../lib/store/local-store';
import type { Figure } from './engine-throughput';

// autocannon ships no types.
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<CannonResult>;
interface CannonResult {
  latency: { p50: number; p99: number };
  requests: { average: number; total: number };
  duration: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

const CONNECTIONS = 16;

function event(i: number): string {
  const customer = `c-${i % 5000}`;
  const time = new Date().toISOString();
  if (i % 10 === 0) {
    return JSON.stringify({
      id: `load-${i}`,
      type: 'checkout.abandoned',
      customerId: customer,
      channel: 'web',
      time,
      data: { cartId: `k-${i}`, value: 40 },
    });
  }
  return JSON.stringify({
    id: `load-${i}`,
    type: 'page.viewed',
    customerId: customer,
    channel: 'web',
    time,
    sessionId: `s-${i % 5000}`,
    data: { page: '/basket' },
  });
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

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

/** Load the server for `seconds`; returns autocannon's figures and the ids the server accepted. */
async function load(base: string, seconds: number): Promise<{ result: CannonResult; accepted: Set<string> }> {
  let n = 0;
  const accepted = new Set<string>();
  const result = await autocannon({
    url: `${base}/events`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req: Record<string, unknown>) => ({ ...req, body: event(n++) }),
        onResponse: (status: number, body: string) => {
          if (status !== 200) return;
          for (const r of (JSON.parse(body) as { results: { id: string; status: string }[] }).results)
            if (r.status === 'accepted') accepted.add(r.id);
        },
      },
    ],
  });
  return { result, accepted };
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
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-bench-ingest-'));
  try {
    const dev = await serve([
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
    const baton = await load(dev.base, seconds);
    await stop(dev.child);
    // Every accepted event must have been processed to the end, and kept across the shutdown.
    const store = await openLocalStore({ path: dataDir });
    const done = new Set(
      (await store.table.scanPrefix('E#')).filter((i) => i.status === 'done').map((i) => i.pk.slice(2)),
    );
    await store.close();
    const lost = [...baton.accepted].filter((id) => !done.has(id)).length;

    // The ceiling of the HTTP layer alone: steady within seconds, so half the time.
    const bare = await serve(['-e', BARE_SERVER]);
    const base = await load(bare.base, Math.max(5, Math.round(seconds / 2)));
    await stop(bare.child);

    const rate = (r: CannonResult) => `${Math.round(r.requests.average).toLocaleString('en-US')}/s`;
    const lat = (r: CannonResult) => `p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms`;
    return [
      {
        name: `ingest: events accepted, ${seconds} s, ${CONNECTIONS} connections`,
        value: rate(baton.result),
        baseline: rate(base.result),
        note: `baseline: a bare node:http server parsing the same bodies; ${baton.accepted.size.toLocaleString('en-US')} accepted, ${baton.result.non2xx} non-2xx, ${baton.result.errors} errors`,
      },
      {
        name: 'ingest: latency',
        value: lat(baton.result),
        baseline: lat(base.result),
        note: 'one event per request, processed before the answer',
      },
      {
        name: 'ingest: accepted events not processed',
        value: String(lost),
        baseline: '0',
        note: 'read back from the data dir after shutdown',
      },
    ];
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
