/**
 * `npm run bench` (never part of `npm test`): figures beside a baseline measured in the same run.
 * BENCH_CUSTOMERS sets the engine run's size (default 10,000), BENCH_INGEST_SECONDS the load test's
 * length (default 20), BENCH_PARKED the instances parked for the memory figure (default 100,000).
 * BENCH_ONLY=engine,ingest,memory,cold,cost runs some of them.
 */
import { cpus } from 'node:os';
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
};

async function main() {
  const only = process.env.BENCH_ONLY?.split(',');
  const started = performance.now();
  const rows: Figure[] = [];
  for (const [name, run] of Object.entries(PARTS)) {
    if (only && !only.includes(name)) continue;
    const t = performance.now();
    rows.push(...(await run()));
    process.stderr.write(`${name}: ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
  }
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
