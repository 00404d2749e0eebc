/** The inputs of the journeys' scenarios in test/scenarios/<id>/, as the benchmarks replay them. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Envelope } from '../lib/core/envelope';
import type { Profile } from '../lib/core/profile';
import { type LoadedJourney, loadJourneyFile } from '../lib/journey/load';
import { readEvents, readProfiles } from '../lib/local/inputs';

export interface ScenarioInputs {
  journey: LoadedJourney;
  events: Envelope[];
  profiles: Profile[];
}

function resolveIn(dir: string, p: string): string {
  return existsSync(join(dir, p)) ? join(dir, p) : p;
}

/** Every journey in workflows/ that has a scenario of its own name, with that scenario's inputs. */
export function workflowScenarios(): ScenarioInputs[] {
  const out: ScenarioInputs[] = [];
  for (const file of readdirSync('workflows').filter((f) => f.endsWith('.json') && f !== 'journey.schema.json')) {
    const loaded = loadJourneyFile(join('workflows', file));
    if (!loaded.ok) throw new Error(`workflows/${file} is invalid`);
    // Audience journeys have no events to copy: bench/audience.ts measures them.
    if (loaded.loaded.journey.audience) continue;
    const dir = join('test', 'scenarios', loaded.loaded.journey.id);
    if (!existsSync(join(dir, 'scenario.json'))) continue;
    const spec = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as { events: string; profiles?: string };
    const { events } = readEvents(resolveIn(dir, spec.events));
    const used = new Set(events.map((e) => e.customerId));
    const profiles = spec.profiles
      ? readProfiles(resolveIn(dir, spec.profiles)).profiles.filter((p) => used.has(p.customerId))
      : [];
    out.push({ journey: loaded.loaded, events, profiles });
  }
  return out;
}

/**
 * The scenarios' customers copied until there are at least `n`: copy k renames every customer and
 * event id with a `-r<k>` suffix, so each copy takes the same paths as the original.
 */
export function replicated(
  scenarios: ScenarioInputs[],
  n: number,
): { events: Envelope[]; profiles: Profile[]; customers: number } {
  const perCopy = scenarios.reduce((a, s) => a + new Set(s.events.map((e) => e.customerId)).size, 0);
  const copies = Math.max(1, Math.ceil(n / perCopy));
  const events: Envelope[] = [];
  const profiles: Profile[] = [];
  for (let k = 0; k < copies; k++) {
    for (const s of scenarios) {
      for (const e of s.events) events.push({ ...e, id: `${e.id}-r${k}`, customerId: `${e.customerId}-r${k}` });
      for (const p of s.profiles) profiles.push({ ...p, customerId: `${p.customerId}-r${k}` });
    }
  }
  return { events, profiles, customers: copies * perCopy };
}
