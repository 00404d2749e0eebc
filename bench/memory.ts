/**
 * Memory with many instances parked: a review journey whose first step waits for `review.posted`
 * (3 days), BENCH_PARKED (default 100,000) customers entering it through ingest (32 at a time), on
 * the local runtime with LMDB on disk as `baton dev` runs it. Resident memory is read in a child process
 * that does only this, before the first entry (the baseline: the same runtime, empty) and once
 * every instance is parked, after a garbage collection.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingest } from '../lib/core/ingest';
import { VirtualClock } from '../lib/engine/clock';
import { loadJourneyFile } from '../lib/journey/load';
import { startLocalRuntime } from '../lib/local/runtime';
import { keys } from '../lib/store/keys';
import type { Figure } from './engine-throughput';

const REVIEW_JOURNEY = {
  id: 'review',
  name: 'Review request',
  version: 1,
  trigger: { event: 'order.delivered', dedupeBy: ['trigger.data.orderId'] },
  start: 'await',
  steps: {
    await: {
      type: 'waitFor',
      event: 'review.posted',
      match: { orderId: 'trigger.data.orderId' },
      timeout: 'P3D',
      next: 'thanks',
      onTimeout: 'ask',
    },
    ask: { type: 'send', channel: 'email', template: 'ask', next: 'done' },
    thanks: { type: 'send', channel: 'email', template: 'thanks', purpose: 'transactional', next: 'done' },
    done: { type: 'end' },
  },
};

interface Measured {
  baselineMb: number;
  parkedMb: number;
  /** What the process owns (anonymous pages: the heap, buffers), and LMDB's file pages mapped in. */
  parkedAnonMb: number;
  parkedFileMb: number;
  parked: number;
  seconds: number;
}

/** The child: park `n` instances, print one JSON line of figures. */
export async function parkMany(n: number, dir: string): Promise<Measured> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const rssMb = () => {
    gc?.();
    return process.memoryUsage().rss / 2 ** 20;
  };
  // Linux splits resident memory into the process's own pages and file pages mapped in (LMDB reads
  // its file through a memory map: those pages are the page cache, which the kernel drops under pressure).
  const statusMb = (field: 'RssAnon' | 'RssFile') => {
    const line = readFileSync('/proc/self/status', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${field}:`));
    return line ? Number(line.replace(/\D+/g, '')) / 1024 : Number.NaN;
  };
  writeFileSync(join(dir, 'review.json'), JSON.stringify(REVIEW_JOURNEY));
  mkdirSync(join(dir, 'templates'));
  for (const t of ['ask', 'thanks'])
    writeFileSync(
      join(dir, 'templates', `${t}.email.liquid`),
      `Subject: ${t}\nHello {{ profile.attributes.firstName }}`,
    );
  const loaded = loadJourneyFile(join(dir, 'review.json'));
  if (!loaded.ok) throw new Error(`review journey is invalid: ${JSON.stringify(loaded)}`);
  const start = Date.parse('2026-11-20T10:00:00Z');
  const clock = new VirtualClock(start);
  const rt = await startLocalRuntime({ journeys: [loaded.loaded], clock, dataDir: join(dir, 'data'), concurrency: 16 });
  // As `baton dev` does at start: the scheduler reads the due times once.
  await rt.engine.nextDueAt();
  const baselineMb = rssMb();
  const t = performance.now();
  const time = new Date(start).toISOString();
  const enter = (i: number) =>
    ingest(rt.deps, {
      id: `d-${i}`,
      type: 'order.delivered',
      customerId: `c-${i}`,
      channel: 'store',
      time,
      data: { orderId: `o-${i}` },
    });
  // 32 entries in flight at a time while the engine runs the instances to their park.
  let next = 0;
  const lane = async () => {
    while (next < n) await enter(next++);
  };
  await Promise.all(Array.from({ length: 32 }, lane));
  await rt.engine.idle();
  const seconds = (performance.now() - t) / 1000;
  const parkedMb = rssMb();
  const parkedAnonMb = statusMb('RssAnon');
  const parkedFileMb = statusMb('RssFile');
  if (process.env.BENCH_MEMORY_DETAIL) process.stderr.write(`parked: ${JSON.stringify(process.memoryUsage())}\n`);
  // Counted from the store after measuring: the waits the instances are parked in.
  const prefix = keys.waitPrefix('review.posted');
  const parked = (await rt.table.scanPrefix(keys.customer(''))).filter((i) => i.sk.startsWith(prefix)).length;
  if (process.env.BENCH_MEMORY_DETAIL) process.stderr.write(`${JSON.stringify(process.memoryUsage())}\n`);
  await rt.close();
  return { baselineMb, parkedMb, parkedAnonMb, parkedFileMb, parked, seconds };
}

export async function memoryWithParked(): Promise<Figure[]> {
  const n = Number(process.env.BENCH_PARKED ?? 100_000);
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-memory-'));
  try {
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        '-e',
        `require('tsx/cjs/api').register();
         require('./bench/memory.ts').parkMany(${n}, ${JSON.stringify(dir)})
           .then((m) => console.log(JSON.stringify(m)), (e) => { console.error(e); process.exit(1); });`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += String(d);
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`the memory benchmark exited ${code}`);
    const m = JSON.parse(out.trim().split('\n').pop() as string) as Measured;
    return [
      {
        name: `memory: ${n.toLocaleString('en-US')} instances parked in a waitFor`,
        value: `${m.parkedAnonMb.toFixed(0)} MB owned, ${m.parkedMb.toFixed(0)} MB resident`,
        baseline: `${m.baselineMb.toFixed(0)} MB resident (same runtime, empty)`,
        note: `LMDB on disk: of the resident memory, ${m.parkedFileMb.toFixed(0)} MB are the LMDB file's pages mapped in (page cache the kernel reclaims), the rest the process's own; ${m.parked.toLocaleString('en-US')} running; parked at ${Math.round(n / m.seconds).toLocaleString('en-US')} entries/s`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
