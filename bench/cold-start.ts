/**
 * Cold start: each Lambda bundle as CDK builds it (esbuild with LAMBDA_BUNDLE, the options
 * BatonFunction deploys with), its size and the time a fresh Node process takes to load it with
 * the functions' NODE_OPTIONS (source maps on), against a hello-world bundle in the same run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { LAMBDA_BUNDLE, LAMBDA_NODE_OPTIONS } from '../lib/infra/lambda-bundle';
import type { Figure } from './engine-throughput';

function bundle(entry: string, outdir: string): string {
  const outfile = join(outdir, 'index.js');
  buildSync({
    ...LAMBDA_BUNDLE,
    mainFields: [...LAMBDA_BUNDLE.mainFields],
    entryPoints: [entry],
    bundle: true,
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

/** Median of several fresh-process loads, in ms. */
function loadMs(file: string): number {
  const runs: number[] = [];
  for (let i = 0; i < 9; i++) {
    const r = spawnSync(
      process.execPath,
      [
        '-e',
        `const t=process.hrtime.bigint();require(${JSON.stringify(file)});console.log(Number(process.hrtime.bigint()-t)/1e6)`,
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, AWS_REGION: 'us-east-1', NODE_OPTIONS: LAMBDA_NODE_OPTIONS },
      },
    );
    runs.push(Number(r.stdout.trim()));
  }
  return runs.sort((a, b) => a - b)[4];
}

/** Size and load time of every function's bundle. */
export function coldStart(): Figure[] {
  const root = mkdtempSync(join(tmpdir(), 'baton-bench-'));
  const hello = join(root, 'hello.ts');
  writeFileSync(hello, 'export const handler = async () => "hello";\n');
  const baseline = bundle(hello, join(root, 'hello'));
  const base = `${loadMs(baseline).toFixed(0)} ms, ${(statSync(baseline).size / 1024).toFixed(1)} KiB`;
  return readdirSync('lambdas')
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => {
      const out = bundle(join('lambdas', f), join(root, f));
      return {
        name: `cold start: ${f.replace('.ts', '')} bundle`,
        value: `${loadMs(out).toFixed(0)} ms, ${(statSync(out).size / 1024).toFixed(0)} KiB`,
        baseline: base,
        note: 'target ≤ 150 ms and ≤ 1 MB',
      };
    });
}
