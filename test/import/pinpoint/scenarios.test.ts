/**
 * Imported Pinpoint journeys behave as they did in Pinpoint: each folder of scenarios/ names
 * Pinpoint exports (journeys, segments, a folder of templates), events and profiles; the test
 * imports them into a fresh folder, loads every written journey as `baton validate` does (with
 * its templates parsed and checked) and simulates the events: the lines must be the expected ones.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPinpointImport } from '../../../lib/import/pinpoint/files';
import { journeySchema } from '../../../lib/journey/schema';
import { readEvents, readProfiles } from '../../../lib/local/inputs';
import { simulate } from '../../../lib/local/simulate';
import { loadValid } from '../../helpers';

const here = join(__dirname, 'scenarios');
const scenarios = readdirSync(here).filter((d) => existsSync(join(here, d, 'scenario.json')));
/** Audience journeys (SPEC §6) run once the journey schema has them (issue 14). */
const audienceJourneys = 'audience' in journeySchema.shape;

interface Scenario {
  pinpoint: string[];
  templates?: string;
  events?: string;
  profiles?: string;
  /** What the scenario needs of Baton beyond event journeys. */
  needs?: 'audience';
  /** The import's exit code: 0 all mapped, 3 something left to finish by hand. */
  exitCode: 0 | 3;
}

describe.each(scenarios)('imported Pinpoint journey: %s', (name) => {
  const dir = join(here, name);
  const spec = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as Scenario;
  const runs = spec.needs === 'audience' && !audienceJourneys ? it.skip : it;

  runs('imports, passes validation with its templates, and simulates as it ran in Pinpoint', async () => {
    const out = mkdtempSync(join(tmpdir(), 'baton-pinpoint-'));
    const run = runPinpointImport({
      files: spec.pinpoint.map((f) => join(dir, f)),
      templates: spec.templates && join(dir, spec.templates),
      out,
    });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(spec.exitCode);
    const journeys = run.result.journeys.map((j) => loadValid(join(out, `${j.id}.json`)));
    const { events, problems } = spec.events ? readEvents(join(dir, spec.events)) : { events: [], problems: [] };
    expect(problems).toEqual([]);
    const profiles = spec.profiles ? readProfiles(join(dir, spec.profiles)).profiles : [];
    const { lines } = await simulate({ journeys, events, profiles });
    const expected = readFileSync(join(dir, 'expected.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const actual = lines.map((line, i) => {
      const want = expected[i] ?? {};
      return Object.fromEntries(Object.keys(want).map((k) => [k, (line as unknown as Record<string, unknown>)[k]]));
    });
    expect(actual).toEqual(expected);
    expect(lines).toHaveLength(expected.length);
  });
});
