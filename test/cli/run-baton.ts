/**
 * `baton` run in-process, as bin/baton.ts runs it but with its output captured: each command costs
 * what it does, not a Node start and a TypeScript load (about a second of CPU a spawn). The wiring
 * of bin/ to the process (streams, exit codes) is proven by the real spawns in test/cli/cli.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { main } from '../../bin/cli';
import { ROOT } from '../helpers';

export interface BatonResult {
  code: number;
  out: string;
  err: string;
}

/** The command's exit code and everything it printed; relative paths count from the project root. */
export async function baton(...args: string[]): Promise<BatonResult> {
  // Users type paths relative to where they stand, as the spawned commands did from ROOT.
  if (process.cwd() !== ROOT) throw new Error(`run jest from ${ROOT} (the CLI tests give it paths relative to it)`);
  let out = '';
  let err = '';
  const { code } = await main(args, {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
  });
  return { code, out, err };
}

/** A real `baton` process (bin/baton.cjs under Node), for what only a process shows. */
export function spawnBaton(...args: string[]): BatonResult {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'baton.cjs'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}
