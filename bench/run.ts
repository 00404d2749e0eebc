/**
 * `npm run bench` (never part of `npm test`): figures beside a baseline measured in the same run.
 * BENCH_CUSTOMERS sets the engine run's size (default 1000).
 */
import { cpus } from 'node:os';
import { coldStart } from './cold-start';
import { engineThroughput, type Figure } from './engine-throughput';

async function main() {
  const n = Number(process.env.BENCH_CUSTOMERS ?? 1000);
  const rows: Figure[] = [...(await engineThroughput(n)), ...coldStart()];
  const header = ['figure', 'Baton', 'baseline', 'note'];
  const table = [header, ...rows.map((r) => [r.name, r.value, r.baseline, r.note])];
  const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  process.stdout.write(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}\n\n`);
  for (const [i, r] of table.entries()) {
    process.stdout.write(`| ${r.map((c, j) => c.padEnd(widths[j])).join(' | ')} |\n`);
    if (i === 0) process.stdout.write(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
