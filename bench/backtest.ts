/**
 * Backtest at production scale: `baton simulate workflows/cart-recovery.json --report` as users run
 * it, on BENCH_BACKTEST_EVENTS events (default 1,000,000) of BENCH_BACKTEST_CUSTOMERS customers
 * (default 100,000) over a week, generated deterministically (bench/backtest-events.ts). The CLI
 * runs in a process of its own, whose resident memory is sampled every second and whose peak is the
 * kernel's high-water mark. The baseline, from the same run: a process that only reads the same
 * file a line at a time and parses each line (node:readline and JSON.parse), the least any replay
 * of it costs.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBacktestEvents, writeBacktestProfiles } from './backtest-events';
import type { Figure } from './engine-throughput';

const PEAK_RSS = join(__dirname, 'peak-rss.cjs');
const START = Date.parse('2026-11-16T00:00:00Z');
const WEEK_MS = 7 * 86_400_000;

interface Measured {
  seconds: number;
  peakMb: number;
  /** Resident memory at each quarter of the run. */
  quartersMb: number[];
  stdout: string;
}

/** Run `node args` with the memory probe loaded; stdout goes to `out`. */
export async function measured(args: string[], out: string, dir: string, name: string): Promise<Measured> {
  const rssFile = join(dir, `${name}.rss.jsonl`);
  const t = performance.now();
  const child = spawn(process.execPath, ['-r', PEAK_RSS, ...args], {
    env: { ...process.env, BENCH_RSS_FILE: rssFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const sink = createWriteStream(out);
  const written = new Promise<void>((resolve) => sink.once('close', () => resolve()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdout.pipe(sink);
  const [code] = await Promise.all([exited, written]);
  const seconds = (performance.now() - t) / 1000;
  if (code !== 0) throw new Error(`${name} exited ${code}`);
  const samples = readFileSync(rssFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { s: number; rssMb?: number; peakMb?: number; exit?: boolean });
  const exit = samples.find((x) => x.exit);
  const rss = samples.filter((x) => x.rssMb !== undefined);
  const quartersMb = [0.25, 0.5, 0.75, 1].map(
    (q) => rss[Math.min(rss.length - 1, Math.floor(q * rss.length))]?.rssMb ?? 0,
  );
  return { seconds, peakMb: exit?.peakMb ?? Number.NaN, quartersMb, stdout: out };
}

/** Generate the inputs, run the baseline and the backtest, and return the table rows. */
export async function backtestAtScale(): Promise<Figure[]> {
  const events = Number(process.env.BENCH_BACKTEST_EVENTS ?? 1_000_000);
  const customers = Number(process.env.BENCH_BACKTEST_CUSTOMERS ?? 100_000);
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-backtest-'));
  try {
    const eventsFile = join(dir, 'events.jsonl');
    const profilesFile = join(dir, 'profiles.jsonl');
    await writeBacktestProfiles(profilesFile, customers);
    const mix = await writeBacktestEvents(eventsFile, { customers, events, start: START, spanMs: WEEK_MS });
    const mb = (statSync(eventsFile).size / 2 ** 20).toFixed(0);

    const read = await measured(
      [
        '-e',
        `const rl = require('node:readline').createInterface({ input: require('node:fs').createReadStream(${JSON.stringify(eventsFile)}) });
         let n = 0; rl.on('line', (l) => { JSON.parse(l); n++; }); rl.on('close', () => console.log(n));`,
      ],
      join(dir, 'read.out'),
      dir,
      'read',
    );
    const run = await measured(
      [
        join(__dirname, '..', 'bin', 'baton.cjs'),
        'simulate',
        join(__dirname, '..', 'workflows', 'cart-recovery.json'),
        '--events',
        eventsFile,
        '--profiles',
        profilesFile,
        '--report',
      ],
      join(dir, 'simulate.out'),
      dir,
      'simulate',
    );
    const output = readFileSync(run.stdout, 'utf8');
    const lines = output.split('\n').filter((l) => l.startsWith('{')).length;
    const report = output
      .slice(output.lastIndexOf('\n\njourney ') + 2)
      .trim()
      .split('\n')[0];
    const n = events.toLocaleString('en-US');
    const rate = Math.round(events / run.seconds).toLocaleString('en-US');
    return [
      {
        name: `backtest: ${n} events, ${customers.toLocaleString('en-US')} customers, cart-recovery`,
        value: `${run.seconds.toFixed(0)} s (${rate} events/s)`,
        baseline: `${read.seconds.toFixed(1)} s (read and parse the file)`,
        note: `${mb} MB of JSONL over a week (${Object.entries(mix)
          .map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`)
          .join(', ')}); ${lines.toLocaleString('en-US')} lines; ${report}`,
      },
      {
        name: 'backtest: peak resident memory',
        value: `${run.peakMb.toFixed(0)} MB`,
        baseline: `${read.peakMb.toFixed(0)} MB (read and parse the file)`,
        note: `resident at each quarter of the run: ${run.quartersMb.map((m) => m.toFixed(0)).join(', ')} MB`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
