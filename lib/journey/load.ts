/** Reading journey files from disk: parse, validate against their templates folder, report problems. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseSegmentFile, type SegmentFileRead } from '../audience/segment-file';
import type { TemplateCheck } from '../core/templates';
import { notJson, withoutBom } from './json-error';
import type { Journey } from './schema';
import { type Problem, validateJourney } from './validate';

export interface LoadedJourney {
  file: string;
  journey: Journey;
  /** The templates/ folder beside the journey file. */
  templatesDir: string;
}

export interface FileProblems {
  file: string;
  problems: Problem[];
}

/** The templates folder of a journey file. */
export function templatesDirOf(file: string): string {
  return join(dirname(resolve(file)), 'templates');
}

export interface LoadOptions {
  /**
   * Parses a template and lists what it reads (`checkTemplate` of lib/core/templates): then every
   * template a send may use is checked too. The CLI, the local engine and CDK synth pass it; the
   * Lambdas do not, so that Liquid stays out of bundles that never render (their journeys and
   * templates were checked when the stack was synthesized).
   */
  checkTemplate?: (text: string, channel: string) => TemplateCheck;
}

/** Read and validate one journey file. */
export function loadJourneyFile(
  file: string,
  opts: LoadOptions = {},
): { ok: true; loaded: LoadedJourney } | { ok: false; problems: Problem[] } {
  let doc: unknown;
  let text = '';
  try {
    text = withoutBom(readFileSync(file, 'utf8'));
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, problems: [{ pointer: '', code: 'bad-json', message: notJson(text, err as Error) }] };
  }
  const templatesDir = templatesDirOf(file);
  const templateFile = (template: string, channel: string) => join(templatesDir, `${template}.${channel}.liquid`);
  const { checkTemplate } = opts;
  const result = validateJourney(doc, {
    // A file: a folder of the template's name passed, and every send of it failed at run time.
    templateExists: (template, channel) => isFile(templateFile(template, channel)),
    segmentFile: (segment) => readSegmentFile(file, segment),
    ...(checkTemplate && {
      checkTemplate: (template: string, channel: string) => {
        let source: string;
        try {
          source = readFileSync(templateFile(template, channel), 'utf8');
        } catch {
          return undefined;
        }
        return checkTemplate(source, channel);
      },
    }),
  });
  if (!result.ok) return { ok: false, problems: result.problems };
  return { ok: true, loaded: { file, journey: result.journey, templatesDir } };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The segment file of an audience, beside the journey file: its ids, or undefined when it cannot be read. */
export function readSegmentFile(journeyFile: string, segment: string): SegmentFileRead | undefined {
  let text: string;
  try {
    text = readFileSync(join(dirname(resolve(journeyFile)), segment), 'utf8');
  } catch {
    return undefined;
  }
  return parseSegmentFile(text);
}

/** Why a file is not JSON, with the line and column where it stops being JSON. */

/** Journey files named by the arguments: files as given, folders expanded to their *.json (not schemas). */
export function journeyFiles(paths: string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    if (existsSync(p) && statSync(p).isDirectory()) {
      for (const f of readdirSync(p).sort()) {
        if (f.endsWith('.json') && !f.endsWith('.schema.json')) files.push(join(p, f));
      }
    } else files.push(p);
  }
  return files;
}

/** Load every journey; all problems of all files, and duplicate ids across files. */
export function loadJourneys(
  paths: string[],
  opts: LoadOptions = {},
): { loaded: LoadedJourney[]; failures: FileProblems[] } {
  const loaded: LoadedJourney[] = [];
  const failures: FileProblems[] = [];
  const seen = new Map<string, string>();
  for (const file of journeyFiles(paths)) {
    if (!existsSync(file)) {
      failures.push({ file, problems: [{ pointer: '', code: 'missing-file', message: `no such file: ${file}` }] });
      continue;
    }
    const r = loadJourneyFile(file, opts);
    if (!r.ok) {
      failures.push({ file, problems: r.problems });
      continue;
    }
    const other = seen.get(r.loaded.journey.id);
    if (other) {
      failures.push({
        file,
        problems: [
          {
            pointer: '/id',
            code: 'duplicate-id',
            message: `journey id "${r.loaded.journey.id}" is also used by ${basename(other)}`,
          },
        ],
      });
      continue;
    }
    seen.set(r.loaded.journey.id, file);
    loaded.push(r.loaded);
  }
  return { loaded, failures };
}

/** One line per problem: `file:/json/pointer: message`. */
export function formatProblems(failures: FileProblems[]): string[] {
  return failures.flatMap((f) => f.problems.map((p) => `${f.file}:${p.pointer || '/'}: ${p.message}`));
}
