/**
 * The console's header shows the engine's time and speed: `baton dev` started for real (data dir,
 * sped-up clock, HTTP server) and asked through the route the page reads.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../lib/core/ports';
import { type DevServer, startDev } from '../../lib/local/dev';
import { helloJourney } from '../helpers';

let dev: DevServer;
let base: string;

beforeAll(async () => {
  dev = await startDev({
    journeys: [helloJourney()],
    profiles: [],
    dataDir: mkdtempSync(join(tmpdir(), 'baton-console-clock-')),
    port: 0,
    speed: 3600,
    log: silentLogger,
  });
  base = `http://127.0.0.1:${dev.port}`;
});
afterAll(() => dev.close());

describe('the engine clock in the console', () => {
  it('answers the engine time and speed at /console/api/clock', async () => {
    const before = dev.clock.now();
    const res = await fetch(`${base}/console/api/clock`);
    const after = dev.clock.now();
    expect(res.status).toBe(200);
    const body = (await res.json()) as { now: string; speed: number };
    expect(body.speed).toBe(3600);
    // The engine's own clock, not the host's: read between two readings of it.
    expect(Date.parse(body.now)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(body.now)).toBeLessThanOrEqual(after);
  });

  it('has the header read it when the page loads, refreshes and every few seconds', async () => {
    const html = await (await fetch(`${base}/`)).text();
    const header = /<header>[\s\S]*<\/header>/.exec(html)?.[0] ?? '';
    expect(header).toContain('<span id="engine-time"');
    expect(html).toContain("getJson('/console/api/clock')");
    expect(html).toMatch(/setInterval\(readClock, \d+\)/);
  });
});
