/** `baton import pinpoint` as users run it (SPEC §8): its help, and exit 0, 3 and 1 with what it prints. */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baton } from '../../cli/run-baton';
import { FIXTURES } from './helpers';

describe('baton import pinpoint', () => {
  it('--help gives its usage, options and exit codes', async () => {
    const r = await baton('import', 'pinpoint', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: baton import pinpoint [options] <files...>');
    for (const text of [
      '--out <dir>',
      '--templates <dir>',
      '--force',
      '--json',
      'exit 0 all mapped, 3 something to finish by hand',
    ])
      expect(r.out).toContain(text);
    // Used wrongly: one line that says why, and the help to read (exit 2).
    expect(await baton('import', 'pinpoint')).toMatchObject({
      code: 2,
      err: "baton: missing required argument 'files'\nrun baton import pinpoint --help for its usage\n",
    });
  });

  it('exit 0 when everything mapped: the journey and its converted templates are written, and listed', async () => {
    const out = mkdtempSync(join(tmpdir(), 'baton-pinpoint-'));
    const r = await baton(
      'import',
      'pinpoint',
      join(FIXTURES, 'welcome-series.json'),
      '--templates',
      join(FIXTURES, 'templates'),
      '--out',
      out,
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      `${join(out, 'welcome-series.json')}: written (from ${join(FIXTURES, 'welcome-series.json')}:/JourneyResponse)`,
    );
    expect(r.out).toContain('  step sendwelcome <- activity SendWelcome (EMAIL) "Welcome email"');
    expect(r.out).toContain(`${join(out, 'templates', 'welcome-v2.email.liquid')}: written`);
    expect(r.out).toMatch(/1 journey imported; 0 to finish by hand, \d+ notes\n$/);
    expect((await baton('validate', out)).code).toBe(0);
  });

  it('exit 3 when something is left to finish by hand, each listed with its pointer (--json: the same as data)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'baton-pinpoint-'));
    const r = await baton('import', 'pinpoint', join(FIXTURES, 'every-activity.json'), '--out', out, '--json');
    expect(r.code).toBe(3);
    const summary = JSON.parse(r.out);
    expect(summary.exitCode).toBe(3);
    expect(summary.journeys).toEqual([expect.objectContaining({ id: 'order-follow-up' })]);
    expect(summary.report).toContainEqual({
      level: 'todo',
      file: join(FIXTURES, 'every-activity.json'),
      pointer: '/JourneyResponse/Limits/DailyCap',
      message: expect.stringContaining('one frequency cap per journey'),
    });
    expect(existsSync(join(out, 'order-follow-up.json'))).toBe(true);
  });

  it('exit 1 on unreadable input, each problem as file:/pointer: message on stderr', async () => {
    const out = mkdtempSync(join(tmpdir(), 'baton-pinpoint-'));
    const r = await baton('import', 'pinpoint', join(FIXTURES, 'broken.json'), '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `${join(FIXTURES, 'broken.json')}:/JourneyResponse/StartActivity: StartActivity is missing`,
    );
    expect(r.err.trim().split('\n')).toHaveLength(11);
  });
});
