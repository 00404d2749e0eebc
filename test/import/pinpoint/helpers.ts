/** Helpers for the Pinpoint import tests: inline definitions, fixtures and a look at what was written. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ImportInput, type ImportResult, importPinpoint } from '../../../lib/import/pinpoint/import';
import type { ReportItem } from '../../../lib/import/pinpoint/report';

export const FIXTURES = join(__dirname, 'fixtures');

/** A fixture as the AWS CLI wrote it. */
export function fixture(path: string): ImportInput {
  return { file: path, doc: JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')) };
}

/** A small event journey: one email, with whatever the test adds. */
export function definition(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Name: 'Test_Journey',
    StartActivity: 'Hello',
    StartCondition: {
      EventStartCondition: {
        EventFilter: {
          FilterType: 'ENDPOINT',
          Dimensions: { EventType: { DimensionType: 'INCLUSIVE', Values: ['signed.up'] } },
        },
      },
    },
    Activities: { Hello: { EMAIL: { TemplateName: 'Hello' } } },
    ...overrides,
  };
}

/** Import one journey definition as get-journey prints it, with other inputs beside it. */
export function importDefinition(def: Record<string, unknown>, ...extra: ImportInput[]): ImportResult {
  return importPinpoint([{ file: 'journey.json', doc: { JourneyResponse: def } }, ...extra]);
}

/** The one journey document an import wrote. */
export function onlyJourney(result: ImportResult): Record<string, unknown> & { steps: Record<string, unknown> } {
  expect(result.unreadable).toEqual([]);
  expect(result.journeys).toHaveLength(1);
  return result.journeys[0].doc as Record<string, unknown> & { steps: Record<string, unknown> };
}

/** Report items at a pointer (of journey.json unless a file is given). */
export function itemsAt(result: ImportResult, pointer: string, file = 'journey.json'): ReportItem[] {
  return result.report.filter((i) => i.file === file && i.pointer === pointer);
}
