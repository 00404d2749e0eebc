/**
 * Audience: `baton simulate` of an audience of N customers (BENCH_AUDIENCE, default 100,000), each
 * sent one email: the run lists them from the profile index into a member file, and its
 * Distributed Map enters them in batches of 100 on the local engine, every transition
 * checkpointed in the memory store. The baseline is the same N customers entering the same
 * one-send journey through N trigger events, in the same run.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Envelope } from '../lib/core/envelope';
import type { Profile } from '../lib/core/profile';
import { checkTemplate } from '../lib/core/templates';
import { type LoadedJourney, loadJourneyFile } from '../lib/journey/load';
import { simulate } from '../lib/local/simulate';
import type { Figure } from './engine-throughput';

const AT = '2026-12-03T16:00:00Z';
const STEPS = {
  issue: { type: 'send', channel: 'email', template: 'issue', next: 'done' },
  done: { type: 'end' },
};

/** The one-send journey, started by an audience or by an event. */
function journeys(dir: string): { audience: LoadedJourney; triggered: LoadedJourney } {
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
  const load = (name: keyof typeof docs) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(docs[name]));
    const r = loadJourneyFile(file, { checkTemplate });
    if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.problems)}`);
    return r.loaded;
  };
  return { audience: load('audience'), triggered: load('triggered') };
}

function profiles(n: number): Profile[] {
  return Array.from({ length: n }, (_, i) => ({
    customerId: `c-${i}`,
    email: `c-${i}@example.com`,
    consent: { email: 'opted_in' as const },
    attributes: { firstName: 'Pat', plan: 'pro' },
  }));
}

async function timed(run: () => ReturnType<typeof simulate>) {
  const t = performance.now();
  const { lines } = await run();
  return {
    seconds: (performance.now() - t) / 1000,
    entered: lines.filter((l) => l.kind === 'entered').length,
    sent: lines.filter((l) => l.kind === 'sent').length,
  };
}

/** Run both and return the table row. */
export async function audienceRun(n: number): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-audience-'));
  try {
    const j = journeys(dir);
    const people = profiles(n);
    const a = await timed(() => simulate({ journeys: [j.audience], events: [], profiles: people }));
    const events: Envelope[] = people.map((p, i) => ({
      id: `e-${i}`,
      type: 'issue.due',
      customerId: p.customerId,
      channel: 'web',
      time: AT,
    }));
    const b = await timed(() => simulate({ journeys: [j.triggered], events, profiles: people }));
    if (a.sent !== n || b.sent !== n)
      throw new Error(`sent ${a.sent} (audience) and ${b.sent} (events), not ${n} each`);
    const count = n.toLocaleString('en-US');
    return [
      {
        name: `simulate: an audience of ${count}, one send each`,
        value: `${a.seconds.toFixed(1)} s (${Math.round(n / a.seconds).toLocaleString('en-US')} entries/s)`,
        baseline: `${b.seconds.toFixed(1)} s`,
        note: `${a.entered.toLocaleString('en-US')} entered and sent, listed from the profile index, entered by the run's Distributed Map in batches of 100; baseline: the same customers entering by ${count} trigger events`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
