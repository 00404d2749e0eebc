import { type ChildProcess, spawn } from 'node:child_process';
/** Shared test helpers: journey documents, loaded journeys and a simulate runner over files. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTemplate } from '../lib/core/templates';
import { VirtualClock } from '../lib/engine/clock';
import type { LocalEngine } from '../lib/engine/engine';
import type { LoadedJourney } from '../lib/journey/load';
import { loadJourneyFile } from '../lib/journey/load';

export const ROOT = join(__dirname, '..');

/** Load a journey file that must be valid. */
export function loadValid(file: string): LoadedJourney {
  const r = loadJourneyFile(file, { checkTemplate });
  if (!r.ok) throw new Error(`${file} is invalid: ${JSON.stringify(r.problems)}`);
  return r.loaded;
}

/** Write a journey document and its templates to a fresh folder and load it. */
export function journeyInTempDir(doc: unknown, templates: Record<string, string> = {}): { file: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'baton-test-'));
  mkdirSync(join(dir, 'templates'));
  for (const [name, text] of Object.entries(templates)) writeFileSync(join(dir, 'templates', name), text);
  const file = join(dir, 'journey.json');
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return { file, dir };
}

/** A minimal valid journey: send an email then end. */
export function simpleJourney(overrides: Record<string, unknown> = {}) {
  return {
    id: 'simple',
    name: 'Simple',
    version: 1,
    trigger: { event: 'x.happened' },
    start: 'hello',
    steps: {
      hello: { type: 'send', channel: 'email', template: 'hello', next: 'done' },
      done: { type: 'end' },
    },
    ...overrides,
  };
}

/**
 * A branch step that reads `messages.<step>.status` and goes on to `next` either way: a journey
 * with it keeps that send step's pointer (send.ts writes one only for a step whose message is read).
 */
export function readsMessageOf(step: string, next: string) {
  return {
    type: 'branch',
    cases: [{ if: { path: `messages.${step}.status`, eq: "'sent'" }, next }],
    default: next,
  };
}

export const HELLO_TEMPLATES = {
  'hello.email.liquid': 'Subject: Hello {{ profile.attributes.firstName }}\nHi {{ profile.attributes.firstName }}!',
  'hello.sms.liquid': 'Hi {{ profile.attributes.firstName }}!',
};

/** A simpleJourney with these overrides, written out with the hello templates and loaded. */
export function helloJourney(overrides: Record<string, unknown> = {}): LoadedJourney {
  return loadValid(journeyInTempDir(simpleJourney(overrides), HELLO_TEMPLATES).file);
}

/** Move virtual time forward to `ms`, firing every wait, timeout and retry due on the way, in order. */
export async function advanceTo(engine: LocalEngine, clock: VirtualClock, ms: number): Promise<void> {
  for (;;) {
    const due = await engine.nextDueAt();
    if (due === undefined || due > ms) break;
    clock.advanceTo(due);
    await engine.runDue();
    await engine.idle();
  }
  clock.advanceTo(ms);
}

/**
 * Start `baton dev` in a child process on a free port; resolves with its base URL once it has
 * printed its start-up lines, and with what it printed so far (`output()`, both streams).
 */
export function spawnDev(opts: {
  dataDir: string;
  workflows: string;
  speed: number;
  /** More arguments, like ['--profiles', file]. */
  args?: string[];
}): Promise<{ child: ChildProcess; base: string; output(): { out: string; err: string } }> {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bin', 'baton.cjs'),
      'dev',
      '--port',
      '0',
      '--data-dir',
      opts.dataDir,
      '--speed',
      String(opts.speed),
      '--workflows',
      opts.workflows,
      ...(opts.args ?? []),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  const output = () => ({ out, err });
  child.stderr!.on('data', (d) => {
    err += String(d);
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      // The engine time line is the last of the start-up lines that always appears.
      if (m && /^Engine time: .*\n/m.test(out)) resolve({ child, base: `http://127.0.0.1:${m[1]}`, output });
    });
    child.once('exit', (code) => reject(new Error(`baton dev exited ${code}: ${out}${err}`)));
  });
}

/**
 * A local runtime with the HTTP API listening on a free port, for API tests, events accepted into
 * its queue as `baton dev` does (`await rt.processed()` before looking at their effects); `stop`
 * closes both.
 */
export async function serveLocally(journeys: LoadedJourney[], clock: VirtualClock, concurrency?: number) {
  const { startLocalRuntime } = await import('../lib/local/runtime');
  const { listen } = await import('../lib/server/http');
  const rt = await startLocalRuntime({ journeys, clock, concurrency });
  await rt.events.start();
  const local = await listen(rt.deps, 0, rt.events, rt.flushed);
  return {
    rt,
    base: `http://127.0.0.1:${local.port}`,
    stop: async () => {
      await local.close();
      await rt.close();
    },
  };
}

/**
 * A local server with the hello journey for one test file: started before its tests, stopped after
 * them. `processed()` waits for the events it accepted to be processed.
 */
export function helloServerForFile(): { base: string; port: number; processed(): Promise<void> } {
  let stop: () => Promise<void> = async () => {};
  let processed: () => Promise<void> = async () => {};
  const server = { base: '', port: 0, processed: () => processed() };
  beforeAll(async () => {
    const served = await serveLocally([helloJourney()], new VirtualClock(Date.parse('2026-11-20T15:00:00Z')));
    ({ stop } = served);
    processed = () => served.rt.processed();
    server.base = served.base;
    server.port = Number(new URL(served.base).port);
  });
  afterAll(() => stop());
  return server;
}
