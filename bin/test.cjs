#!/usr/bin/env node
// `npm test` after the lint: the type check and jest side by side, failing if either fails.
// tsc checks on one thread for about 25 s; run first, it left a core of the two idle for that long.
// Its report is printed after jest's, so the two never interleave. Arguments go to jest.
const { spawn } = require('node:child_process');

function run(bin, args, capture) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [require.resolve(bin), ...args], {
      stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    let output = '';
    if (capture)
      for (const stream of [child.stdout, child.stderr])
        stream.on('data', (d) => {
          output += d;
        });
    child.on('error', (err) => resolve({ code: 1, output: `${bin}: ${err.message}\n` }));
    child.on('exit', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

async function main() {
  const typecheck = run('typescript/bin/tsc', ['--noEmit'], true);
  const tests = await run('jest/bin/jest', process.argv.slice(2), false);
  const types = await typecheck;
  process.stderr.write(types.code === 0 ? 'tsc --noEmit: no type errors\n' : `tsc --noEmit failed:\n${types.output}`);
  process.exitCode = tests.code || types.code;
}

main();
