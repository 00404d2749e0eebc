import { writeBacktestEvents, writeBacktestProfiles } from '../bench/backtest-events';
import { simulate } from '../lib/local/simulate';
import { loadJourneyFile } from '../lib/journey/load';
import { checkTemplate } from '../lib/core/templates';
import { checkEventFile, replayEvents } from '../lib/local/event-file';
import { profileStream } from '../lib/local/record-stream';
async function main() {
  const customers = Number(process.env.C ?? 10000), events = Number(process.env.E ?? 100000);
  const dir = '/tmp/prof';
  await writeBacktestProfiles(`${dir}/p.jsonl`, customers);
  await writeBacktestEvents(`${dir}/e.jsonl`, { customers, events, start: Date.parse('2026-11-02T00:00:00Z'), spanMs: 7 * 86400000 });
  const r = loadJourneyFile('workflows/cart-recovery.json', { checkTemplate } as never) as never as { ok: boolean; loaded: never };
  const checked = await checkEventFile(`${dir}/e.jsonl`);
  const t = performance.now();
  let n = 0;
  await simulate({ journeys: [r.loaded], events: replayEvents(checked), profiles: profileStream(`${dir}/p.jsonl`), onLine: () => { n++; },
    });
  console.log('lines', n, 's', (performance.now() - t) / 1000);
}
main();
