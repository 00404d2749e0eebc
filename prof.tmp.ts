import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkTemplate } from './lib/core/templates';
import { loadJourneyFile } from './lib/journey/load';
import { simulate } from './lib/local/simulate';

async function main() {
  const n = Number(process.argv[2] ?? 20000);
  const dir = mkdtempSync(join(tmpdir(), 'x-'));
  mkdirSync(join(dir, 'templates'));
  writeFileSync(join(dir, 'templates', 'issue.email.liquid'), 'Subject: x\nHello');
  const steps = process.argv[3] === 'end' ? { done: { type: 'end' } } : { issue: { type: 'send', channel: 'email', template: 'issue', next: 'done' }, done: { type: 'end' } };
  const doc = { id: 'aud', name: 'a', version: 1, settings: { timezone: 'UTC' }, start: Object.keys(steps)[0], steps, audience: { segment: { where: { path: 'profile.attributes.plan', eq: 'pro' } }, schedule: { start: '2026-12-03T16:00:00Z' } } };
  writeFileSync(join(dir, 'a.json'), JSON.stringify(doc));
  const r = loadJourneyFile(join(dir, 'a.json'), { checkTemplate });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  const profiles = Array.from({ length: n }, (_, i) => ({ customerId: `c-${i}`, email: `c${i}@x.com`, consent: { email: 'opted_in' as const }, attributes: { plan: 'pro' } }));
  const t = performance.now();
  const { lines, usage } = await simulate({ journeys: [r.loaded], events: [], profiles });
  console.log(process.argv[3] ?? 'send', n, ((performance.now() - t) / 1000).toFixed(1), 's', lines.length, 'lines', usage.engine.executions, 'executions', usage.engine.transitions, 'transitions', JSON.stringify(usage.store));
}
main();
