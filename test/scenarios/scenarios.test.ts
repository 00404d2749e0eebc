/** Runs every scenario folder: journeys and events in, the printed lines out (see README.md here). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { readEvents, readProfiles } from '../../lib/local/inputs';
import { simulate } from '../../lib/local/simulate';
import { loadValid, ROOT } from '../helpers';

const here = __dirname;
const scenarios = readdirSync(here).filter((d) => existsSync(join(here, d, 'scenario.json')));

function resolveIn(dir: string, p: string): string {
  if (isAbsolute(p)) return p;
  return existsSync(join(dir, p)) ? join(dir, p) : join(ROOT, p);
}

describe.each(scenarios)('scenario %s', (name) => {
  const dir = join(here, name);
  const spec = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as {
    journeys: string[];
    /** Optional when every journey is an audience journey. */
    events?: string;
    profiles?: string;
    /** Stop the simulation at this RFC 3339 time (a schedule that repeats without end needs it). */
    until?: string;
  };

  it('prints the expected lines, in order', async () => {
    const journeys = spec.journeys.map((j) => loadValid(resolveIn(dir, j)));
    const { events, problems } = spec.events ? readEvents(resolveIn(dir, spec.events)) : { events: [], problems: [] };
    expect(problems).toEqual([]);
    const profiles = spec.profiles ? readProfiles(resolveIn(dir, spec.profiles)).profiles : [];
    const until = spec.until === undefined ? undefined : Date.parse(spec.until);
    const { lines } = await simulate({ journeys, events, profiles, until });
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
