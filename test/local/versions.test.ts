/**
 * Journey versions: bumping `version` publishes a new version; instances in flight finish on the
 * version they started, also across a restart; an invalid or unbumped edit keeps the running one.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingest } from '../../lib/core/ingest';
import type { Logger } from '../../lib/core/ports';
import type { TimelineEntry } from '../../lib/core/timeline';
import { VirtualClock } from '../../lib/engine/clock';
import { loadJourneys } from '../../lib/journey/load';
import { reloadJourneys } from '../../lib/local/reload';
import { type LocalRuntime, startLocalRuntime } from '../../lib/local/runtime';
import { putProfile } from '../../lib/store/profiles';
import { advanceTo, HELLO_TEMPLATES, journeyInTempDir, simpleJourney } from '../helpers';

const T0 = Date.parse('2026-11-20T15:00:00Z');
const quiet: Logger = { info() {}, warn() {}, error() {} };

function version(v: number, template: string) {
  return simpleJourney({
    version: v,
    start: 'w',
    steps: {
      w: { type: 'wait', for: 'PT1H', next: 'hello' },
      hello: { type: 'send', channel: 'email', template, next: 'done' },
      done: { type: 'end' },
    },
  });
}

describe('journey versions', () => {
  const { dir, file } = journeyInTempDir(version(1, 'hello'), {
    ...HELLO_TEMPLATES,
    'bye.email.liquid': 'Subject: Bye\nBye',
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-versions-'));
  const lines: TimelineEntry[] = [];
  let rt: LocalRuntime;
  let clock: VirtualClock;

  const start = async () => {
    rt = await startLocalRuntime({
      journeys: loadJourneys([dir]).loaded,
      clock,
      dataDir,
      concurrency: 1,
      onTimeline: (e) => lines.push(e),
    });
  };
  const trigger = async (id: string, customerId: string) => {
    await ingest(rt.deps, {
      id,
      type: 'x.happened',
      customerId,
      channel: 'web',
      time: new Date(clock.now()).toISOString(),
    });
    await rt.engine.idle();
  };

  beforeAll(async () => {
    clock = new VirtualClock(T0);
    await start();
    for (const c of ['c-1', 'c-2', 'c-3'])
      await putProfile(rt.table, { customerId: c, email: `${c}@example.com`, consent: { email: 'opted_in' } }, T0);
  });
  afterAll(async () => {
    await rt.close();
  });

  it('publishes a bumped version; the instance in flight finishes on the version it started', async () => {
    await trigger('e-1', 'c-1');
    writeFileSync(file, JSON.stringify(version(2, 'bye')));
    expect((await reloadJourneys(rt, dir, quiet)).outcomes).toEqual([
      { journey: 'simple', kind: 'published', version: 2 },
    ]);
    await trigger('e-2', 'c-2');
    await advanceTo(rt.engine, clock, T0 + 2 * 3_600_000);
    const sent = lines.filter((l) => l.kind === 'sent').map((l) => [l.customerId, l.version, l.template]);
    expect(sent).toEqual([
      ['c-1', 1, 'hello'],
      ['c-2', 2, 'bye'],
    ]);
  });

  it('keeps serving the running version when an edit is invalid or not bumped', async () => {
    writeFileSync(file, JSON.stringify({ ...version(2, 'hello') }));
    expect((await reloadJourneys(rt, dir, quiet)).outcomes).toEqual([
      { journey: 'simple', kind: 'not-bumped', version: 2, running: 2 },
    ]);
    writeFileSync(file, JSON.stringify({ ...version(3, 'bye'), start: 'nowhere' }));
    const r = await reloadJourneys(rt, dir, quiet);
    expect(r.problems).toEqual([expect.stringContaining('/start: start names step "nowhere"')]);
    expect(rt.deps.catalog.get('simple')?.journey.version).toBe(2);
  });

  it('resumes an instance of a version no longer in the files after a restart', async () => {
    writeFileSync(file, JSON.stringify(version(3, 'bye')));
    await reloadJourneys(rt, dir, quiet);
    await trigger('e-3', 'c-3'); // waits on v3
    writeFileSync(file, JSON.stringify(version(4, 'hello')));
    await rt.close();
    await start(); // only v4 is in the folder now
    await advanceTo(rt.engine, clock, clock.now() + 2 * 3_600_000);
    expect(
      lines.filter((l) => l.kind === 'sent' && l.customerId === 'c-3').map((l) => [l.version, l.template]),
    ).toEqual([[3, 'bye']]);
  });
});
