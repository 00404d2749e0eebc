/**
 * Unreadable input (SPEC §8: exit 1): wrong keys, a missing StartActivity, waits that are not ISO
 * 8601, files that are not JSON or not Pinpoint's. Every problem is listed at once as
 * `file:/pointer: message`; nothing is written for a broken journey, and the readable files
 * beside it are still imported.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPinpointImport } from '../../../lib/import/pinpoint/files';
import { FIXTURES } from './helpers';

const BROKEN = join(FIXTURES, 'broken.json');

/** A definition written as `j.json` in a folder of its own: the file and the folder. */
function definitionFile(definition: Record<string, unknown>): { file: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'baton-pinpoint-'));
  const file = join(dir, 'j.json');
  writeFileSync(file, JSON.stringify(definition));
  return { file, dir };
}

describe('broken definitions', () => {
  const out = mkdtempSync(join(tmpdir(), 'baton-pinpoint-'));
  const run = runPinpointImport({ files: [BROKEN, join(FIXTURES, 'welcome-series.json')], out });
  const at = (pointer: string) => `${BROKEN}:/JourneyResponse${pointer}: `;

  it('exit 1 with every problem, each with its pointer and what is allowed', () => {
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      `${at('/Activities/First/WAIT')}unknown key "WAIT" (did you mean "Wait"?); allowed here: CUSTOM, ConditionalSplit, ContactCenter, Description, EMAIL, Holdout, MultiCondition, PUSH, RandomSplit, SMS, Wait`,
      `${at('/StartCondition/EventStartCondition/EventPastDays')}unknown key "EventPastDays"; allowed here: EventFilter, SegmentId`,
      `${at('/StartActivity')}StartActivity is missing: it names the first activity, one of First, Second, Third, Fourth, Fifth`,
      `${at('/Activities/Second/Wait/WaitTime/WaitFor')}expected an ISO 8601 duration such as "PT1H" or "P2D", found "1 hour"`,
      `${at('/Activities/Third/Wait/WaitTime/WaitUntil')}expected an ISO 8601 date-time such as "2026-12-01T09:00:00Z", found "next Tuesday"`,
      `${at('/Activities/Fourth/ConditionalSplit/EvaluationWaitTime/WaitFor')}expected an ISO 8601 duration such as "PT1H" or "P2D", found "24h"`,
      `${at('/Activities/Fourth/ConditionalSplit/Condition/Conditions/0/SegmentDimensions/Metrics/orders/ComparisonOperator')}found "MORE_THAN"; allowed: GREATER_THAN, LESS_THAN, GREATER_THAN_OR_EQUAL, LESS_THAN_OR_EQUAL, EQUAL`,
      `${at('/Activities/Fifth/Holdout/Percentage')}a percentage is 0 to 100, found 120`,
      `${at('/Limits/EndpointReentryInterval')}expected an ISO 8601 duration such as "PT1H" or "P2D", found "12 hours"`,
      `${at('/QuietTime/Start')}expected a time of day HH:MM such as "21:00", found "9pm"`,
      `${at('/Schedule/Timezone')}expected a UTC offset as Pinpoint writes it, such as "UTC", "UTC+05" or "UTC-09:30", found "PST"`,
    ]);
  });

  it('writes nothing for the broken journey, and still imports the readable one beside it', () => {
    expect(existsSync(join(out, 'broken-export.json'))).toBe(false);
    expect(existsSync(join(out, 'welcome-series.json'))).toBe(true);
    expect(run.result.journeys.map((j) => j.id)).toEqual(['welcome-series']);
  });

  it('a definition Pinpoint itself refuses is unreadable: a day the month lacks, an end before the start, a negative limit', () => {
    const { file, dir } = definitionFile({
      Name: 'x',
      StartActivity: 'A',
      Activities: { A: { Wait: { WaitTime: { WaitUntil: '2026-02-30T00:00:00Z' } } } },
      Schedule: { StartTime: '2026-12-10T00:00:00Z', EndTime: '2026-12-01T00:00:00Z' },
      Limits: { DailyCap: -3, TimeframeCap: { Cap: -1, Days: 7 } },
    });
    const r = runPinpointImport({ files: [file], out: dir });
    expect(r.exitCode).toBe(1);
    expect(r.errors).toEqual([
      `${file}:/Activities/A/Wait/WaitTime/WaitUntil: expected an ISO 8601 date-time such as "2026-12-01T09:00:00Z", found "2026-02-30T00:00:00Z"`,
      `${file}:/Schedule/EndTime: EndTime must be after StartTime (2026-12-10T00:00:00Z), found "2026-12-01T00:00:00Z"`,
      `${file}:/Limits/DailyCap: a limit is 0 or more, found -3`,
      `${file}:/Limits/TimeframeCap/Cap: a limit is 0 or more, found -1`,
    ]);
    expect(readdirSync(dir)).toEqual(['j.json']);
  });

  it('a StartActivity naming no activity, or no activities at all, is unreadable too', () => {
    const { file, dir } = definitionFile({
      Name: 'x',
      StartActivity: 'Nope',
      Activities: { A: { Wait: { WaitTime: { WaitFor: 'PT1H' } } } },
    });
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, JSON.stringify({ WriteJourneyRequest: { Name: 'y', StartActivity: 'A' } }));
    const r = runPinpointImport({ files: [file, empty], out: dir });
    expect(r.exitCode).toBe(1);
    expect(r.errors).toEqual([
      `${file}:/StartActivity: StartActivity names "Nope", which is not an activity; activities are: A`,
      `${empty}:/WriteJourneyRequest/Activities: the journey has no activities: there is nothing to import`,
    ]);
  });

  it('a file that is not JSON, or not a Pinpoint document, says so with where', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-pinpoint-'));
    const notJson = join(dir, 'a.json');
    writeFileSync(notJson, '{"JourneyResponse": {\n  "Name": "x",\n}');
    const other = join(dir, 'b.json');
    writeFileSync(other, JSON.stringify({ Journeys: [] }));
    const wrongTemplate = join(dir, 'c.json');
    writeFileSync(
      wrongTemplate,
      JSON.stringify({ SMSTemplateResponse: { TemplateName: 'T', TemplateType: 'SMS', Text: 'hi' } }),
    );
    const r = runPinpointImport({ files: [notJson, other, wrongTemplate], out: dir });
    expect(r.exitCode).toBe(1);
    expect(r.errors[0]).toBe(`${notJson}:/: not valid JSON at line 3, column 1`);
    expect(r.errors[1]).toMatch(
      new RegExp(`^${other}:/: not a Pinpoint journey, template or segment: .*found keys Journeys$`),
    );
    expect(r.errors[2]).toMatch(
      new RegExp(`^${wrongTemplate}:/SMSTemplateResponse/Text: unknown key "Text"; allowed here: .*Body`),
    );
  });
});

describe('an import that cannot be written whole', () => {
  const welcome = join(FIXTURES, 'welcome-series.json');

  it('writes nothing when a journey it would replace differs (without --force), and says so', () => {
    const out = mkdtempSync(join(tmpdir(), 'baton-pinpoint-'));
    writeFileSync(join(out, 'welcome-series.json'), '{}\n');
    const run = runPinpointImport({ files: [welcome], out });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      `${join(out, 'welcome-series.json')}: exists and differs from the import; not overwritten (--force replaces it)`,
    ]);
    expect(run.written).toEqual([]);
    expect(readdirSync(out)).toEqual(['welcome-series.json']);
    expect(run.lines.at(-1)).toBe(`nothing written to ${out}: fix what is said above and import again`);
  });

  it('writes nothing when --templates names no folder', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'baton-pinpoint-')), 'out');
    const run = runPinpointImport({ files: [welcome], out, templates: join(out, 'nope') });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      `${join(out, 'nope')}:/: no such folder (--templates takes a folder of exported templates)`,
    ]);
    expect(existsSync(out)).toBe(false);
  });
});
