/**
 * Audience: `baton simulate` of an audience of N customers (BENCH_AUDIENCE, default 100,000), each
 * sent one email, as a user runs it: the CLI in a process of its own, the profiles read from a
 * JSONL file, every line written to a file. The run lists them from the profile index into a
 * member file, and its Distributed Map enters them in batches of 100 on the local engine, every
 * transition checkpointed in the memory store. The baseline is the same N customers entering the
 * same one-send journey through N trigger events (an events file), in the same run.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Envelope } from '../lib/core/envelope';
import type { Profile } from '../lib/core/profile';
import { measured } from './backtest';
import type { Figure } from './engine-throughput';

const AT = '2026-12-03T16:00:00Z';
const STEPS = {
  issue: { type: 'send', channel: 'email', template: 'issue', next: 'done' },
  done: { type: 'end' },
};

/** The one-send journey, started by an audience or by an event: the files of each. */
function journeys(dir: string): { audience: string; triggered: string } {
  mkdirSync(join(dir, 'templates'));
  writeFileSync(
    join(dir, 'templates', 'issue.email.liquid'),
    'Subject: The issue\nHello {{ profile.attributes.firstName }}',
  );
  const base = { name: 'Issue', version: 1, settings: { timezone: 'UTC' }, start: 'issue', steps: STEPS };
  const docs = {
    audience: {
      ...base,
      id: 'issue-audience',
      audience: { segment: { where: { path: 'profile.attributes.plan', eq: 'pro' } }, schedule: { start: AT } },
    },
    triggered: { ...base, id: 'issue-triggered', trigger: { event: 'issue.due' } },
  };
  const write = (name: keyof typeof docs) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(docs[name]));
    return file;
  };
  return { audience: write('audience'), triggered: write('triggered') };
}

function profiles(n: number): Profile[] {
  return Array.from({ length: n }, (_, i) => ({
    customerId: `c-${i}`,
    email: `c-${i}@example.com`,
    consent: { email: 'opted_in' as const },
    attributes: { firstName: 'Pat', plan: 'pro' },
  }));
}

/** `baton simulate` in a process of its own; its output lines counted by kind. */
async function timed(dir: string, name: string, args: string[]) {
  const run = await measured(
    [join(__dirname, '..', 'bin', 'baton.cjs'), 'simulate', ...args],
    join(dir, `${name}.out`),
    dir,
    name,
  );
  const kinds = new Map<string, number>();
  for (const line of readFileSync(run.stdout, 'utf8').split('\n')) {
    const kind = line.startsWith('{') ? (JSON.parse(line) as { kind: string }).kind : undefined;
    if (kind) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const lines = [...kinds.values()].reduce((a, b) => a + b, 0);
  return { ...run, lines, entered: kinds.get('entered') ?? 0, sent: kinds.get('sent') ?? 0 };
}

/** How many times each run is made: BENCH_AUDIENCE_ROUNDS, default 3 (read when the part runs). */
function rounds(text: string | undefined): number {
  const n = Number(text ?? 3);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`BENCH_AUDIENCE_ROUNDS is ${JSON.stringify(text)}: a whole number of rounds, 1 or more`);
  return n;
}

/** The run of median time. */
function median<T extends { seconds: number }>(runs: T[]): T {
  return [...runs].sort((x, y) => x.seconds - y.seconds)[Math.floor(runs.length / 2)];
}

const jsonl = (records: unknown[]) => `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;

/** Run both and return the table row. */
export async function audienceRun(n: number): Promise<Figure[]> {
  const times = rounds(process.env.BENCH_AUDIENCE_ROUNDS);
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-audience-'));
  try {
    const j = journeys(dir);
    const people = profiles(n);
    const profilesFile = join(dir, 'profiles.jsonl');
    writeFileSync(profilesFile, jsonl(people));
    const events: Envelope[] = people.map((p, i) => ({
      id: `e-${i}`,
      type: 'issue.due',
      customerId: p.customerId,
      channel: 'web',
      time: AT,
    }));
    const eventsFile = join(dir, 'events.jsonl');
    writeFileSync(eventsFile, jsonl(events));
    // This machine's speed moves by a third from minute to minute (the same run took 64 s and
    // 106 s within half an hour): the two runs take turns, `times` times, and the medians are compared.
    const audience: Awaited<ReturnType<typeof timed>>[] = [];
    const triggered: Awaited<ReturnType<typeof timed>>[] = [];
    for (let round = 0; round < times; round++) {
      audience.push(await timed(dir, 'audience', [j.audience, '--profiles', profilesFile]));
      triggered.push(await timed(dir, 'triggered', [j.triggered, '--events', eventsFile, '--profiles', profilesFile]));
    }
    for (const [name, runs] of [
      ['audience', audience],
      ['events', triggered],
    ] as const)
      for (const r of runs) if (r.sent !== n) throw new Error(`sent ${r.sent} (${name}), not ${n}`);
    const a = median(audience);
    const b = median(triggered);
    const spread = (runs: { seconds: number }[]) => runs.map((r) => r.seconds.toFixed(1)).join(', ');
    const count = n.toLocaleString('en-US');
    return [
      {
        name: `simulate: an audience of ${count}, one send each`,
        value: `${a.seconds.toFixed(1)} s (${Math.round(n / a.seconds).toLocaleString('en-US')} entries/s)`,
        baseline: `${b.seconds.toFixed(1)} s`,
        note: `${times === 1 ? 'one run, then the baseline' : `median of ${times} runs taking turns with the baseline's`} (${spread(audience)} s; baseline ${spread(triggered)} s); \`baton simulate\` in its own process, profiles from JSONL, ${a.lines.toLocaleString('en-US')} lines written; ${a.entered.toLocaleString('en-US')} entered and sent, listed from the profile index, entered by the run's Distributed Map in batches of 100; peak ${a.peakMb.toFixed(0)} MB resident; baseline: the same customers entering by ${count} trigger events (peak ${b.peakMb.toFixed(0)} MB)`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
