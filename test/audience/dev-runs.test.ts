/**
 * `baton dev` runs audience schedules on its own clock (SPEC §6): a run starts when the engine
 * clock reaches it, its members enter and are sent their message, its member file stays in the
 * data dir; a restart on the same data dir never starts it again.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../lib/core/ports';
import type { TimelineEntry } from '../../lib/core/timeline';
import { LOCAL_AUDIENCE_BUCKET } from '../../lib/local/audience-runtime';
import { startDev } from '../../lib/local/dev';
import { audienceDoc, loadAudience, profile } from './fixtures';

const SPEED = 3600;

async function timeline(base: string, customerId: string): Promise<TimelineEntry[]> {
  const res = await fetch(`${base}/customers/${customerId}/timeline?limit=500`);
  return ((await res.json()) as { entries: TimelineEntry[] }).entries;
}

/** Poll until `check` holds (real time, a few seconds at most at this speed). */
async function until(check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('baton dev and audience runs', () => {
  it('starts a run when its time comes, enters its members once, and never again after a restart', async () => {
    // Half an hour of engine time from now: half a second at this speed.
    const startAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 30 * 60_000).toISOString().replace('.000Z', 'Z');
    const journey = loadAudience(audienceDoc({ schedule: { start: startAt } }));
    const dataDir = mkdtempSync(join(tmpdir(), 'baton-dev-runs-'));
    const options = {
      journeys: [journey],
      profiles: [profile('c-1', { plan: 'pro' }), profile('c-2', { plan: 'free' })],
      dataDir,
      port: 0,
      speed: SPEED,
      log: silentLogger,
      pollMs: 20,
    };
    const first = await startDev(options);
    const base = `http://127.0.0.1:${first.port}`;
    await until(async () => (await timeline(base, 'c-1')).some((e) => e.kind === 'exited'));
    const lines = await timeline(base, 'c-1');
    expect(lines.map((e) => e.kind).reverse()).toEqual(['entered', 'sent', 'exited']);
    expect(Date.parse(lines.at(-1)!.at)).toBeGreaterThanOrEqual(Date.parse(startAt));
    expect(await timeline(base, 'c-2')).toEqual([]);
    expect(existsSync(join(dataDir, 'objects', LOCAL_AUDIENCE_BUCKET))).toBe(true);
    await first.close();

    const second = await startDev(options);
    const again = `http://127.0.0.1:${second.port}`;
    // Two engine hours go by: the run is not started again.
    const from = second.clock.now();
    await until(async () => second.clock.now() > from + 2 * 3600_000);
    expect((await timeline(again, 'c-1')).filter((e) => e.kind === 'entered')).toHaveLength(1);
    const { journeys } = (await (await fetch(`${again}/console/api/journeys`)).json()) as {
      journeys: { audience: { runs: { runAt: string; members: number; entered: number; status: string }[] } }[];
    };
    expect(journeys[0].audience.runs).toEqual([
      expect.objectContaining({ runAt: startAt, members: 1, entered: 1, status: 'done' }),
    ]);
    await second.close();
  });
});
