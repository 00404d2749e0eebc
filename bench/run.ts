/**
 * `npm run bench` (never part of `npm test`): figures beside a baseline measured in the same run.
 * BENCH_CUSTOMERS sets the engine run's size (default 10,000), BENCH_INGEST_SECONDS the load test's
 * length (default 20), BENCH_PARKED the instances parked for the memory figure (default 100,000),
 * BENCH_AUDIENCE the audience simulated (default 100,000), BENCH_BACKTEST_EVENTS and
 * BENCH_BACKTEST_CUSTOMERS the backtest's (default 1,000,000 and 100,000).
 * BENCH_ONLY=engine,ingest,memory,cold,cost,audience,backtest runs some of them; BENCH_SEQUENTIAL=1 runs each part alone.
 */
import { cpus } from 'node:os';
import { audienceRun } from './audience';
import { backtestAtScale } from './backtest';
import { coldStart } from './cold-start';
import { costPerJourney } from './cost';
import { engineThroughput, type Figure } from './engine-throughput';
import { ingestUnderLoad } from './ingest';
import { memoryWithParked } from './memory';

const PARTS: Record<string, () => Promise<Figure[]>> = {
  engine: () => engineThroughput(Number(process.env.BENCH_CUSTOMERS ?? 10_000)),
  ingest: ingestUnderLoad,
  memory: memoryWithParked,
  cold: async () => coldStart(),
  cost: costPerJourney,
  audience: () => audienceRun(Number(process.env.BENCH_AUDIENCE ?? 100_000)),
  backtest: backtestAtScale,
};

/**
 * The memory part parks its instances in a child process of its own, on the second core, while the
 * engine and cost parts run here (BENCH_SEQUENTIAL=1 runs it alone); cold start, ingest and the
 * backtest, which need the whole machine, run after it.
 */
const BESIDE = ['engine', 'cost'];

async function main() {
  const only = process.env.BENCH_ONLY?.split(',');
  const wanted = (name: string) => !only || only.includes(name);
  const started = performance.now();
  const results: Record<string, Figure[]> = {};
  const run = async (name: string) => {
    const t = performance.now();
    results[name] = await PARTS[name]();
    process.stderr.write(`${name}: ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
  };
  const sequential = process.env.BENCH_SEQUENTIAL === '1';
  const background = wanted('memory') && !sequential ? run('memory') : undefined;
  // A failure of the background part is reported where it is awaited, not as an unhandled rejection.
  background?.catch(() => {});
  for (const name of BESIDE) if (wanted(name)) await run(name);
  await background;
  for (const name of Object.keys(PARTS)) if (wanted(name) && !results[name]) await run(name);
  const rows = Object.keys(PARTS).flatMap((name) => results[name] ?? []);
  const header = ['figure', 'Baton', 'baseline', 'note'];
  const table = [header, ...rows.map((r) => [r.name, r.value, r.baseline, r.note])];
  const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  process.stdout.write(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}\n\n`);
  for (const [i, r] of table.entries()) {
    process.stdout.write(`| ${r.map((c, j) => c.padEnd(widths[j])).join(' | ')} |\n`);
    if (i === 0) process.stdout.write(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |\n`);
  }
  process.stdout.write(`\nwhole run: ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
