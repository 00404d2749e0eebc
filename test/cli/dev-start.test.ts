/**
 * `baton dev` starting and restarting as users run it (real processes, a data dir on disk): what
 * start-up prints, `--profiles` seeding a new data dir only, and one line for a data dir or port
 * already in use.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, spawnDev } from '../helpers';

const WORKFLOWS = join(__dirname, 'workflows');
const PROFILES = 'samples/profiles.json';

function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** A `baton dev` that must not start: its exit code and what it printed. */
function devRefused(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'baton.cjs'), 'dev', '--workflows', WORKFLOWS, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('baton dev start-up', () => {
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) await stop(c, 'SIGKILL');
  });

  it('seeds --profiles into a new data dir only: opt-outs and erasures survive a restart with --profiles', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'baton-seed-'));
    const first = await spawnDev({ dataDir, workflows: WORKFLOWS, speed: 1, args: ['--profiles', PROFILES] });
    children.push(first.child);
    const started = first.output().out;
    expect(started).toContain(`Console: ${first.base}/\n`);
    expect(started).toMatch(/^Engine time: \d{4}-\d\d-\d\dT[\d:.]+Z \(real speed\)$/m);
    expect(started).toContain(`Profiles: 3 loaded from ${PROFILES} into the new data dir\n`);
    expect(first.output().err).toBe('');

    const optOut = await fetch(`${first.base}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'optout-1',
        type: 'consent.updated',
        customerId: 'c-ana',
        channel: 'email',
        time: new Date().toISOString(),
        data: { channel: 'email', status: 'opted_out' },
      }),
    });
    expect((await optOut.json()) as unknown).toMatchObject({ failedCount: 0 });
    expect((await fetch(`${first.base}/customers/c-ben`, { method: 'DELETE' })).status).toBe(200);
    await stop(first.child);

    const second = await spawnDev({ dataDir, workflows: WORKFLOWS, speed: 1, args: ['--profiles', PROFILES] });
    children.push(second.child);
    const ana = (await (await fetch(`${second.base}/customers/c-ana/profile`)).json()) as {
      consent: Record<string, string>;
    };
    expect(ana.consent).toEqual({ email: 'opted_out', sms: 'opted_in' });
    expect((await fetch(`${second.base}/customers/c-ben/profile`)).status).toBe(404);
    // Untouched customers are still there: the first run's seeding stands too.
    expect((await fetch(`${second.base}/customers/c-cleo/profile`)).status).toBe(200);
    expect(second.output().err).toBe(
      `note: --profiles ${PROFILES} ignored: ${dataDir} already holds data, so its consent changes and erasures stand; a new --data-dir starts from the profiles\n`,
    );
    expect(second.output().out).not.toContain('Profiles:');

    // While it runs, a second baton dev on the same data dir or port says so in one line.
    const sameDir = devRefused('--data-dir', dataDir, '--port', '0');
    expect(sameDir).toEqual({
      code: 1,
      out: '',
      err: `baton: the data dir ${dataDir} is in use by another baton dev: stop that one first, or give this one another --data-dir\n`,
    });
    const port = new URL(second.base).port;
    const samePort = devRefused('--data-dir', mkdtempSync(join(tmpdir(), 'baton-port-')), '--port', port);
    expect(samePort).toEqual({
      code: 1,
      out: '',
      err: `baton: port ${port} on 127.0.0.1 is in use: stop what listens there, or choose another --port (0 picks a free one)\n`,
    });
    await stop(second.child);
  });
});
