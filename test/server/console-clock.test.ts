/**
 * The console's header shows the engine's time and speed: `baton dev` started for real (data dir,
 * sped-up clock, HTTP server), asked through the route the page reads, and the page's own script
 * run against it (in a bare DOM stand-in: the Chromium test of the whole console runs in CI).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
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

/** Just enough of a DOM for the console script: elements that keep their text and children. */
class FakeNode {
  textContent = '';
  children: FakeNode[] = [];
  attributes: Record<string, string> = {};
  classList = { toggle() {} };
  dataset = {};
  append(...nodes: FakeNode[]) {
    this.children.push(...nodes);
  }
  replaceChildren(...nodes: FakeNode[]) {
    this.children = nodes;
  }
  setAttribute(name: string, value: string) {
    this.attributes[name] = value;
  }
  addEventListener() {}
  focus() {}
}

/** Run the page's script with its fetches sent to the real server; returns the header's clock element. */
async function runConsoleScript(): Promise<{ engineTime: FakeNode; timers: number[] }> {
  const html = await (await fetch(`${base}/`)).text();
  // The page's inline scripts, in order (Chart.js, loaded from its own address, is not needed for the header).
  const script = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
  const ids = new Map(['view', 'status', 'refresh', 'engine-time'].map((id) => [id, new FakeNode()]));
  const timers: number[] = [];
  // Each answer is read whole before the script sees it, so once these settle, only in-memory work is left.
  const requests: Promise<Response>[] = [];
  const served = (path: string, init: RequestInit) => {
    const answer = fetch(`${base}${path}`, init).then(
      async (res) => new Response(await res.text(), { status: res.status, headers: res.headers }),
    );
    requests.push(answer);
    return answer;
  };
  runInNewContext(script, {
    document: {
      getElementById: (id: string) => ids.get(id),
      createElement: () => new FakeNode(),
      createTextNode: (text: string) => Object.assign(new FakeNode(), { textContent: text }),
      querySelectorAll: () => [],
    },
    Node: FakeNode,
    location: { hash: '' },
    window: { addEventListener() {} },
    fetch: served,
    setInterval: (_fn: () => void, ms: number) => timers.push(ms),
    encodeURIComponent,
    console,
  });
  const engineTime = ids.get('engine-time') as FakeNode;
  await Promise.all(requests);
  for (let turn = 0; turn < 100 && !engineTime.textContent; turn++) await new Promise((r) => setImmediate(r));
  return { engineTime, timers };
}

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

  it("shows the engine's time and speed in the header, read again every few seconds", async () => {
    const before = dev.clock.now();
    const { engineTime, timers } = await runConsoleScript();
    const shown = /^Engine time (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)Z \(x3600\)$/.exec(engineTime.textContent);
    expect(shown).not.toBeNull();
    const at = Date.parse(`${shown?.[1]}T${shown?.[2]}Z`);
    // Whole seconds shown; read from the engine's clock after `before`, a few engine hours at most.
    expect(at).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(at).toBeLessThanOrEqual(dev.clock.now());
    // Ticks every second in between, refreshes the view every five, and reads the engine's time again every ten.
    expect(timers.sort((a, b) => a - b)).toEqual([1000, 5000, 10000]);
  });
});
