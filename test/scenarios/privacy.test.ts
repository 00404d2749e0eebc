/**
 * Privacy by construction: drive every example journey with its scenario and scan what Step
 * Functions would hold — execution names, inputs, outputs, variables, task tokens — and every log
 * line for the customers' emails and phone numbers. None may appear.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../lib/core/ports';
import { readEvents, readProfiles } from '../../lib/local/inputs';
import { simulate } from '../../lib/local/simulate';
import { loadValid, ROOT } from '../helpers';

const scenarios = readdirSync(__dirname).filter((d) => existsSync(join(__dirname, d, 'scenario.json')));

describe.each(scenarios)('scenario %s', (name) => {
  it('leaves no email or phone number in executions or logs', async () => {
    const dir = join(__dirname, name);
    const spec = JSON.parse(readFileSync(join(dir, 'scenario.json'), 'utf8')) as {
      journeys: string[];
      events?: string;
      profiles: string;
      until?: string;
    };
    const resolve = (p: string) => (existsSync(join(dir, p)) ? join(dir, p) : join(ROOT, p));
    const { profiles } = readProfiles(resolve(spec.profiles));
    const secrets = profiles.flatMap((p) => [p.email, p.phone, p.phone?.slice(2)]).filter((s): s is string => !!s);
    expect(secrets.length).toBeGreaterThan(0);
    const logs: string[] = [];
    const log: Logger = {
      info: (m, e) => logs.push(m + JSON.stringify(e ?? {})),
      warn: (m, e) => logs.push(m + JSON.stringify(e ?? {})),
      error: (m, e) => logs.push(m + JSON.stringify(e ?? {})),
    };
    let stateMachineData = '';
    await simulate({
      journeys: spec.journeys.map((j) => loadValid(resolve(j))),
      events: spec.events ? readEvents(resolve(spec.events)).events : [],
      profiles,
      until: spec.until === undefined ? undefined : Date.parse(spec.until),
      log,
      // Keep closed executions, which a backtest forgets once closed: every one is scanned.
      retention: [],
      inspect: async (rt) => {
        const items = [...(await rt.table.scanPrefix('X#')), ...(await rt.table.scanPrefix('TT#'))];
        expect(items.length).toBeGreaterThan(0);
        stateMachineData = JSON.stringify(items);
      },
    });
    // The scan sees the executions' data: their customer ids are there (ids are references, not personal data).
    expect(profiles.some((p) => stateMachineData.includes(p.customerId))).toBe(true);
    for (const secret of secrets) {
      expect(stateMachineData).not.toContain(secret);
      for (const line of logs) expect(line).not.toContain(secret);
    }
  });
});
