/**
 * The `baton` command as users run it: exit codes, exact output, and `baton dev` surviving kill -9.
 * Commands run in-process (bin/cli.ts); real processes prove bin/baton.cjs's wiring and dev's crash safety.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileRun } from '../../lib/audience/compile-run';
import { compileJourney, renderAsl } from '../../lib/journey/compile';
import { version } from '../../package.json';
import { journeyInTempDir, loadValid, ROOT, simpleJourney, spawnDev } from '../helpers';
import { baton, spawnBaton } from './run-baton';

/** The README's simulate: the cart journey over the sample events and profiles. */
const SAMPLE_SIMULATE = [
  'simulate',
  'workflows/cart-recovery.json',
  '--events',
  'samples/cart-events.jsonl',
  '--profiles',
  'samples/profiles.json',
];

describe('baton CLI', () => {
  it('validate: exit 0 for workflows/, exit 1 with file:/pointer: message lines otherwise', async () => {
    expect(await baton('validate')).toMatchObject({ code: 0, out: expect.stringContaining('cart-recovery') });
    const { file } = journeyInTempDir(simpleJourney({ start: 'nope' }));
    const r = await baton('validate', file);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${file}:/start: start names step "nope", which does not exist`);
    expect(r.err).toContain(`${file}:/steps/hello/template: no email template "hello"`);
  });

  it('compile: prints exactly the document the compiler renders (what CDK deploys)', async () => {
    const r = await baton('compile', 'cart-recovery');
    expect(r.code).toBe(0);
    expect(r.out).toBe(renderAsl(compileJourney(loadValid(join(ROOT, 'workflows/cart-recovery.json')).journey)));
  });

  it('audience journeys: compile --run prints the runs, simulate needs no --events but an end or --until', async () => {
    const run = await baton('compile', 'lapsed-win-back', '--run');
    expect(run.code).toBe(0);
    expect(run.out).toBe(renderAsl(compileRun(loadValid(join(ROOT, 'workflows/lapsed-win-back.json')).journey)));
    const lines = await baton(
      'simulate',
      'lapsed-win-back',
      '--profiles',
      'test/scenarios/lapsed-win-back/profiles.json',
    );
    expect(lines.code).toBe(0);
    expect(lines.out.split('\n').filter((l) => l.includes('"entered"'))).toHaveLength(5);
    const { file } = journeyInTempDir(
      {
        id: 'endless',
        name: 'Endless',
        version: 1,
        audience: {
          segment: { where: { path: 'profile.attributes.x', eq: 1 } },
          schedule: { start: '2026-12-01T00:00:00Z', repeat: 'P1D' },
        },
        start: 'done',
        steps: { done: { type: 'end' } },
      },
      {},
    );
    expect(await baton('simulate', file)).toMatchObject({
      code: 2,
      err: expect.stringContaining('baton: endless repeats without an end: give --until'),
    });
    expect((await baton('simulate', file, '--until', 'P2D')).code).toBe(0);
  });

  it('graph --format svg: prints the laid-out diagram, the one docs/cart-recovery.svg holds', async () => {
    const r = await baton('graph', 'cart-recovery', '--format', 'svg');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toBe(readFileSync(join(ROOT, 'docs/cart-recovery.svg'), 'utf8'));
  });

  it('simulate: the same inputs print the same lines', async () => {
    const args = SAMPLE_SIMULATE;
    const a = await baton(...args);
    expect(a.code).toBe(0);
    expect(a.out.trim().split('\n')).toHaveLength(12);
    expect((await baton(...args)).out).toBe(a.out);
    // The README's tour shows this output whole: it must be what the command prints.
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const shown = /npx baton simulate workflows\/cart-recovery\.json .*\n```\n\n```json\n([\s\S]*?)```/.exec(readme);
    expect(shown?.[1]).toBe(a.out);
    const cut = await baton(...args, '--until', 'PT2H');
    expect(
      cut.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).kind),
    ).toEqual(['entered', 'entered', 'entered', 'ignored', 'sent', 'sent', 'suppressed']);
  });

  it('simulate without --profiles notes on stderr that its sends will find no profiles; the lines stay on stdout', async () => {
    const r = await baton(
      'simulate',
      'workflows/cart-recovery.json',
      '--events',
      'samples/cart-events.jsonl',
      '--until',
      'PT2H',
    );
    expect(r.code).toBe(0);
    expect(r.err).toBe(
      'note: no --profiles: sends will find no profiles (no address, no consent), so every send is suppressed\n',
    );
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.kind)).toEqual([
      'entered',
      'entered',
      'entered',
      'ignored',
      'suppressed',
      'suppressed',
      'suppressed',
    ]);
  });

  it('simulate: names the line and field of a bad event and runs nothing', async () => {
    const r = await baton('simulate', 'workflows/cart-recovery.json', '--events', join(__dirname, 'bad-events.jsonl'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('bad-events.jsonl:2: /time: time must be RFC 3339');
    expect(r.out).toBe('');
  });

  it("usage errors exit 2, say why and point to the command's help", async () => {
    expect(await baton('simulate', 'workflows/cart-recovery.json')).toEqual({
      code: 2,
      out: '',
      err: 'baton: --events is required: only audience journeys run without events\nrun baton simulate --help for its usage\n',
    });
    // A file given that cannot be read: its path and why, no stack.
    expect(await baton('simulate', 'workflows/cart-recovery.json', '--events', 'no-such-events.jsonl')).toEqual({
      code: 2,
      out: '',
      err: 'baton: no-such-events.jsonl: no such file\nrun baton simulate --help for its usage\n',
    });
    expect(
      await baton('simulate', 'workflows/cart-recovery.json', '--events', 'workflows', '--profiles', 'x.jsonl'),
    ).toMatchObject({
      code: 2,
      err: expect.stringMatching(/^baton: workflows: a directory, not a file\n/),
    });
    expect(await baton('dev', '--port', 'x')).toMatchObject({
      code: 2,
      err: expect.stringContaining('--port takes 0-65535'),
    });
  });

  it('refuses, before doing anything, a value it cannot use: a speed past the clock, a time without offset, an option for a value, a file for a folder', async () => {
    const usage = (message: string) => ({
      code: 2,
      out: '',
      err: expect.stringMatching(new RegExp(`^baton: ${message}`)),
    });
    expect(await baton('dev', '--speed', '1e13')).toMatchObject(
      usage('--speed takes a number above 0 and at most 1,000,000'),
    );
    // Read in the host's zone, an --until without offset printed other lines on another machine.
    const sim = SAMPLE_SIMULATE;
    expect(await baton(...sim, '--until', '2026-11-20T19:30:00')).toMatchObject(
      usage('--until takes an RFC 3339 time with its offset'),
    );
    expect(await baton(...sim, '--until', '2026-11-31T00:00:00Z')).toMatchObject(
      usage('--until takes an RFC 3339 time'),
    );
    expect((await baton(...sim, '--until', '2026-11-20T19:30:00Z')).code).toBe(0);
    // `--out --force` wrote the journey into a folder named --force.
    const cwd = mkdtempSync(join(tmpdir(), 'baton-cli-'));
    expect(
      await baton('import', 'pinpoint', 'test/import/pinpoint/fixtures/welcome-series.json', '--out', '--force'),
    ).toMatchObject(usage('--out needs a value, and found the option --force after it'));
    expect(existsSync('--force')).toBe(false);
    // Preview only reads: a folder that is no data dir is not made one.
    expect(await baton('preview', 'cart-recovery', '--customer', 'c-ana', '--data-dir', cwd)).toMatchObject(
      usage(`no data dir ${cwd}`),
    );
    expect(readdirSync(cwd)).toEqual([]);
    const file = join(cwd, 'a-file');
    writeFileSync(file, 'x');
    expect(await baton('dev', '--port', '0', '--data-dir', file)).toMatchObject(
      usage(`${file}: a file where a folder is needed`),
    );
  });

  it('says when there is nothing to work on: no journey in a folder to validate, an empty events or profiles file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-cli-empty-'));
    expect(await baton('validate', dir)).toEqual({
      code: 1,
      out: '',
      err: `baton: no journey files (*.json) in ${dir}\n`,
    });
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    expect(await baton('simulate', 'cart-recovery', '--events', empty, '--profiles', empty)).toEqual({
      code: 0,
      out: '',
      err: `note: ${empty} is empty: sends will find no profiles, so every send is suppressed\nnote: ${empty} holds no events: no trigger starts a journey\n`,
    });
  });

  it('reads files that start with a byte-order mark (Windows editors write one) as the same files without it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-cli-bom-'));
    const withBom = (name: string, path: string) => {
      const file = join(dir, name);
      writeFileSync(file, `\ufeff${readFileSync(path, 'utf8')}`);
      return file;
    };
    const plain = await baton(...SAMPLE_SIMULATE);
    const marked = await baton(
      ...SAMPLE_SIMULATE.slice(0, 2),
      '--events',
      withBom('events.jsonl', 'samples/cart-events.jsonl'),
      '--profiles',
      withBom('profiles.json', 'samples/profiles.json'),
    );
    expect(marked).toEqual(plain);
    expect(plain.code).toBe(0);
    // A Pinpoint export too: the same import as without the mark.
    const fixture = 'test/import/pinpoint/fixtures/welcome-series.json';
    const imported = (file: string) =>
      baton('import', 'pinpoint', file, '--out', mkdtempSync(join(dir, 'out-')), '--json');
    const [withMark, without] = [await imported(withBom('export.json', fixture)), await imported(fixture)];
    expect(withMark.code).toBe(without.code);
    const steps = (r: { out: string }) => (JSON.parse(r.out).journeys as { steps: unknown }[]).map((j) => j.steps);
    expect(steps(withMark)).toEqual(steps(without));
    expect(steps(without)[0]).toEqual(expect.arrayContaining([expect.objectContaining({ step: 'sendwelcome' })]));
    const { file } = journeyInTempDir(simpleJourney({ id: 'bom' }), { 'hello.email.liquid': 'Subject: Hi\nThere' });
    writeFileSync(file, `\ufeff${readFileSync(file, 'utf8')}`);
    expect(await baton('validate', file)).toMatchObject({ code: 0, out: '1 journey valid: bom\n' });
  });

  it('unknown commands and options: one line saying so, one line of help, exit 1', async () => {
    expect(await baton('frobnicate')).toEqual({
      code: 1,
      out: '',
      err: "baton: unknown command 'frobnicate'\nrun baton --help for the commands\n",
    });
    expect(await baton('validate', '--strict')).toEqual({
      code: 1,
      out: '',
      err: "baton: unknown option '--strict'\nrun baton validate --help for its usage\n",
    });
    expect(await baton('graph', 'cart-recovery', '--formats', 'svg')).toMatchObject({
      code: 1,
      err: "baton: unknown option '--formats' (Did you mean --format?)\nrun baton graph --help for its usage\n",
    });
  });

  it('every command answers --help with its own usage; baton --version prints the version', async () => {
    for (const command of ['validate', 'compile', 'graph', 'simulate', 'dev', 'schema']) {
      const r = await baton(command, '--help');
      expect(r).toMatchObject({ code: 0, err: '' });
      expect(r.out).toMatch(new RegExp(`^Usage: baton ${command} `));
      if (command === 'dev') expect(r.out).toContain('--reset-clock');
    }
    expect((await baton('--help')).out).toMatch(/^Usage: baton \[options\] \[command\]/);
    expect(await baton('--version')).toEqual({ code: 0, out: `${version}\n`, err: '' });
  });
});

describe('the baton process (bin/baton.cjs)', () => {
  it('prints what the in-process command prints, on stdout, and exits 0', async () => {
    const args = ['simulate', 'workflows/cart-recovery.json', '--events', 'samples/cart-events.jsonl'];
    const inProcess = await baton(...args, '--profiles', 'samples/profiles.json');
    expect(spawnBaton(...args, '--profiles', 'samples/profiles.json')).toEqual({ ...inProcess, code: 0 });
  });

  it('exits with the code of a failed command, its message on stderr', async () => {
    expect(spawnBaton('simulate', 'workflows/cart-recovery.json')).toEqual({
      code: 2,
      out: '',
      err: 'baton: --events is required: only audience journeys run without events\nrun baton simulate --help for its usage\n',
    });
    const { file } = journeyInTempDir(simpleJourney({ start: 'nope' }));
    expect(spawnBaton('validate', file)).toEqual({ ...(await baton('validate', file)), code: 1 });
  });
});

describe('baton dev', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  async function startDev(dataDir: string) {
    const dev = await spawnDev({ dataDir, workflows: join(__dirname, 'workflows'), speed: 3600 });
    children.push(dev.child);
    return dev;
  }

  async function until<T>(what: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await what();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('keeps an accepted event across kill -9: the restarted engine sends the waiting message once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'baton-dev-'));
    const first = await startDev(dataDir);
    await fetch(`${first.base}/customers/c-9/profile`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'kim@example.com',
        consent: { email: 'opted_in' },
        attributes: { firstName: 'Kim' },
      }),
    });
    const posted = await fetch(`${first.base}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'w-1',
        type: 'account.created',
        customerId: 'c-9',
        channel: 'web',
        time: new Date().toISOString(),
      }),
    });
    expect(await posted.json()).toEqual({ failedCount: 0, results: [{ id: 'w-1', status: 'accepted' }] });
    first.child.kill('SIGKILL'); // the 30-minute wait (half a second at x3600) has not passed yet
    const second = await startDev(dataDir);
    const messages = await until(async () => {
      const body = (await (await fetch(`${second.base}/outbox`)).json()) as { messages: unknown[] };
      return body.messages.length ? body.messages : undefined;
    });
    expect(messages).toEqual([expect.objectContaining({ to: 'kim@example.com', subject: 'Welcome, Kim' })]);
    const timeline = await until(async () => {
      const body = (await (await fetch(`${second.base}/customers/c-9/timeline`)).json()) as {
        entries: { kind: string }[];
      };
      return body.entries.some((e) => e.kind === 'exited') ? body.entries : undefined;
    });
    expect(timeline.map((e) => e.kind)).toEqual(['exited', 'sent', 'entered']);
    second.child.kill('SIGTERM');
  });
});
