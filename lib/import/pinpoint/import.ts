/**
 * `baton import pinpoint` (SPEC §8) without the file system: parsed documents in; journey
 * documents, template files and the report out, with the exit code. 0 when everything mapped, 3
 * when the report lists something to finish by hand, 1 when an input is unreadable (nothing is
 * written for that input; the others still are).
 */
import { definitionProblems } from './check';
import { type BuiltJourney, buildJourney } from './journey';
import { Destinations, journeyIds } from './naming';
import { readSource, type SourceProblem, type SourceTemplate } from './read';
import type { Place, ReportItem } from './report';
import type { Segment } from './resources';
import { type OutputFile, TemplateRegistry } from './templates';

export interface ImportInput {
  file: string;
  doc: unknown;
}

export interface ImportResult {
  journeys: BuiltJourney[];
  /** Template files (and kept HTML parts), relative to the output folder. */
  files: OutputFile[];
  report: ReportItem[];
  unreadable: SourceProblem[];
  exitCode: 0 | 1 | 3;
}

/** Import every journey of the inputs, with the templates and segments passed beside them. */
export function importPinpoint(inputs: ImportInput[]): ImportResult {
  const unreadable: SourceProblem[] = [];
  const sources = inputs.map((i) => readSource(i.file, i.doc));
  for (const s of sources) unreadable.push(...s.problems);
  const templates: SourceTemplate[] = sources.flatMap((s) => s.templates);
  const segments = new Map<string, { segment: Segment; place: Place }>();
  for (const s of sources.flatMap((x) => x.segments)) segments.set(s.segment.Id, { segment: s.segment, place: s });

  const registry = new TemplateRegistry();
  const destinations = new Destinations();
  const ids = journeyIds();
  const journeys: BuiltJourney[] = [];
  for (const src of sources.flatMap((s) => s.journeys)) {
    const problems = definitionProblems(src.definition);
    if (problems.length) {
      unreadable.push(...problems.map((p) => ({ file: src.file, pointer: src.base + p.pointer, message: p.message })));
      continue;
    }
    journeys.push(
      buildJourney(src, {
        journeyIds: ids,
        template: (use, journeyId, report) => registry.name(use, journeyId, report),
        segment: (id) => segments.get(id),
        destination: (uri) => destinations.name(uri),
      }),
    );
  }
  const { files, reports } = registry.files(templates);
  const report = [...journeys.flatMap((j) => j.report.items), ...reports.flatMap((r) => r.items)];
  const exitCode = unreadable.length ? 1 : report.some((i) => i.level === 'todo') ? 3 : 0;
  return { journeys, files, report, unreadable, exitCode };
}
