/** Audience journeys for the tests, and a local runtime with the ports of the audience ops over it. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { directoryObjectStore } from '../../lib/audience/object-store';
import type { AudiencePorts } from '../../lib/audience/ports';
import type { StepFunctionsPort } from '../../lib/core/ports';
import type { Profile } from '../../lib/core/profile';
import type { TimelineEntry } from '../../lib/core/timeline';
import { VirtualClock } from '../../lib/engine/clock';
import type { LoadedJourney } from '../../lib/journey/load';
import { startLocalRuntime } from '../../lib/local/runtime';
import { putProfile } from '../../lib/store/profiles';
import { HELLO_TEMPLATES, journeyInTempDir, loadValid, simpleJourney } from '../helpers';

/** A valid audience journey: everyone on the pro plan, once at 2026-12-03T16:00:00Z, sent the hello email. */
export function audienceDoc(audience: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}) {
  const { trigger: _trigger, ...doc } = simpleJourney();
  return {
    ...doc,
    id: 'newsletter',
    name: 'Newsletter',
    audience: {
      segment: { where: { path: 'profile.attributes.plan', eq: 'pro' } },
      schedule: { start: '2026-12-03T16:00:00Z' },
      ...audience,
    },
    settings: { timezone: 'America/New_York' },
    ...overrides,
  };
}

/** An audience journey written with the hello templates and `files` (segment files, by path) beside it, and loaded. */
export function loadAudience(doc: Record<string, unknown>, files: Record<string, string> = {}): LoadedJourney {
  const { file, dir } = journeyInTempDir(doc, HELLO_TEMPLATES);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return loadValid(file);
}

/** A profile with an email, consent to it, and these attributes and zone. */
export function profile(customerId: string, attributes: Record<string, unknown>, timezone?: string): Profile {
  return {
    customerId,
    email: `${customerId}@example.com`,
    consent: { email: 'opted_in' },
    attributes: { firstName: 'Pat', ...attributes },
    ...(timezone ? { timezone } : {}),
  };
}

/**
 * A memory runtime serving `journeys` at virtual time `at`, with `profiles` stored, the timeline
 * lines it records, and the ports of the audience ops over it; `sfn` wraps the engine's Step
 * Functions port (to make it throttle or fail).
 */
export async function audienceRuntime(
  journeys: LoadedJourney[],
  opts: { profiles?: Profile[]; at?: string; sfn?: (engine: StepFunctionsPort) => StepFunctionsPort } = {},
) {
  const clock = new VirtualClock(Date.parse(opts.at ?? '2026-12-03T15:00:00Z'));
  const lines: TimelineEntry[] = [];
  const rt = await startLocalRuntime({ journeys, clock, concurrency: 1, onTimeline: (e) => lines.push(e) });
  for (const p of opts.profiles ?? []) await putProfile(rt.table, p, clock.now());
  const objectsDir = mkdtempSync(join(tmpdir(), 'baton-objects-test-'));
  const ports: AudiencePorts = {
    deps: opts.sfn ? { ...rt.deps, sfn: opts.sfn(rt.engine) } : rt.deps,
    objects: directoryObjectStore(objectsDir),
    bucket: 'test-bucket',
    version: (id, version) => {
      const loaded = journeys.find((j) => j.journey.id === id && j.journey.version === version);
      const entry = rt.deps.catalog.get(id);
      if (!loaded || !entry) return undefined;
      return {
        entry,
        segmentFile: async (file) => {
          try {
            return readFileSync(join(dirname(loaded.file), file), 'utf8');
          } catch {
            return undefined;
          }
        },
      };
    },
  };
  return { rt, clock, lines, ports, objectsDir };
}
