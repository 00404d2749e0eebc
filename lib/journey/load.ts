/** Reading journey files from disk: parse, validate against their templates folder, report problems. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
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

/** Read and validate one journey file. */
export function loadJourneyFile(
  file: string,
): { ok: true; loaded: LoadedJourney } | { ok: false; problems: Problem[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const message = (err as Error).message;
    return { ok: false, problems: [{ pointer: '', code: 'bad-json', message: `not valid JSON: ${message}` }] };
  }
  const templatesDir = templatesDirOf(file);
  const result = validateJourney(doc, {
    templateExists: (template, channel) => existsSync(join(templatesDir, `${template}.${channel}.liquid`)),
  });
  if (!result.ok) return { ok: false, problems: result.problems };
  return { ok: true, loaded: { file, journey: result.journey, templatesDir } };
}

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
export function loadJourneys(paths: string[]): { loaded: LoadedJourney[]; failures: FileProblems[] } {
  const loaded: LoadedJourney[] = [];
  const failures: FileProblems[] = [];
  const seen = new Map<string, string>();
  for (const file of journeyFiles(paths)) {
    if (!existsSync(file)) {
      failures.push({ file, problems: [{ pointer: '', code: 'missing-file', message: `no such file: ${file}` }] });
      continue;
    }
    const r = loadJourneyFile(file);
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
