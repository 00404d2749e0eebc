/**
 * Privacy by construction: drive every example journey with its scenario and scan what Step
 * Functions would hold — execution names, inputs, outputs, variables, task tokens — and every log
 * line for the customers' emails and phone numbers. None may appear.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

describe('a profiles file with mistakes', () => {
  it('names the line and the field of each, and shows no address or number it holds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-privacy-'));
    const file = join(dir, 'profiles.jsonl');
    writeFileSync(
      file,
      [
        'ana@example.com,+15551230000',
        '{"customerId":"c-ben","email":ben@example.com}',
        '{"customerId":"c-dan","phone":"+44 20 7946 0958","email":"dan.example.com"}',
      ].join('\n'),
    );
    const problems = readProfiles(file).problems.map((p) => `${p.line}: ${p.message}`);
    expect(problems).toEqual([
      "1: not valid JSON: Unexpected token 'a'",
      "2: not valid JSON: Unexpected token 'b'",
      '3: /email: email must be an email address, found "da***********om" (15 characters)',
      '3: /phone: phone must be E.164 like +15551230000, found "+4************58" (16 characters)',
    ]);
    for (const pii of ['example.com,', 'ana@', 'ben@', '7946', 'dan.example'])
      expect(problems.join('\n')).not.toContain(pii);
  });
});
