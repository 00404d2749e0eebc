/**
 * `baton import pinpoint` on disk: read the files the AWS CLI wrote (and every *.json of
 * `--templates DIR`), import, write the journeys and templates into the output folder, and say
 * what was written and what is left to do. A file that already exists and differs is not
 * overwritten without `--force`, except a stub this command wrote, which a converted template
 * replaces.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { jsonErrorOffset, lineAndColumn, withoutBom } from '../../journey/json-error';
import { UNPORTED_ROOT } from './handlebars';
import { type ImportInput, type ImportResult, importPinpoint } from './import';
import type { SourceProblem } from './read';

export interface PinpointImportOptions {
  files: string[];
  /** Where journeys go (templates in its templates/). */
  out: string;
  /** A folder of exported templates and segments (every *.json in it). */
  templates?: string;
  force?: boolean;
}

export interface PinpointImportRun {
  exitCode: 0 | 1 | 3;
  /** What was written and the report, for stdout. */
  lines: string[];
  /** Unreadable inputs and refused writes, `file:/pointer: message`, for stderr. */
  errors: string[];
  result: ImportResult;
  written: string[];
}

/** Read, import and write; never throws for bad input (it is reported). */
export function runPinpointImport(opts: PinpointImportOptions): PinpointImportRun {
  const unreadable: SourceProblem[] = [];
  let badTemplatesFolder = false;
  const inputs: ImportInput[] = [];
  const paths = [...opts.files];
  if (opts.templates !== undefined) {
    if (!existsSync(opts.templates) || !statSync(opts.templates).isDirectory()) {
      badTemplatesFolder = true;
      unreadable.push({
        file: opts.templates,
        pointer: '',
        message: `${existsSync(opts.templates) ? 'a file, not a folder' : 'no such folder'} (--templates takes a folder of exported templates)`,
      });
    } else
      for (const f of readdirSync(opts.templates).sort()) if (f.endsWith('.json')) paths.push(join(opts.templates, f));
  }
  for (const file of paths) {
    const read = readJson(file);
    if ('problem' in read) unreadable.push({ file, pointer: '', message: read.problem });
    else inputs.push({ file, doc: read.doc });
  }
  const result = importPinpoint(inputs);
  result.unreadable.unshift(...unreadable);
  if (result.journeys.length === 0 && result.unreadable.length === 0)
    result.unreadable.push({
      file: paths[0] ?? '',
      pointer: '',
      message: 'no Pinpoint journey among the inputs: pass what aws pinpoint get-journey printed',
    });

  const lines: string[] = [];
  const errors = result.unreadable.map((p) => `${p.file}:${p.pointer || '/'}: ${p.message}`);
  const written: string[] = [];
  let refused = false;
  const write = (rel: string, text: string, kind: 'journey' | 'template'): string => {
    const path = join(opts.out, rel);
    if (existsSync(path)) {
      const current = readFileSync(path, 'utf8');
      if (current === text) return 'unchanged';
      // A journey that differs never comes here without --force: it stopped the import below.
      const stub = kind === 'template' && current.includes(`${UNPORTED_ROOT}.template`);
      if (!stub && !opts.force) return 'kept (it differs from the import; --force replaces it)';
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    written.push(path);
    return 'written';
  };
  // Editors validate journeys beside the JSON Schema (`npm run schema`), as the bundled ones do.
  const schema = existsSync(join(opts.out, 'journey.schema.json')) ? { $schema: './journey.schema.json' } : {};
  const journeys = result.journeys.map((j) => ({
    j,
    rel: `${j.id}.json`,
    text: `${JSON.stringify({ ...schema, ...j.doc }, null, 2)}\n`,
  }));
  // Nothing is written when --templates names no folder (a typo: the stubs written instead would
  // look like the import), or a journey would not be overwritten (its templates were written, and
  // the summary counted it). An unreadable journey file leaves the others to import.
  for (const { rel, text } of journeys) {
    const path = join(opts.out, rel);
    if (!opts.force && existsSync(path) && readFileSync(path, 'utf8') !== text) {
      refused = true;
      errors.push(`${path}: exists and differs from the import; not overwritten (--force replaces it)`);
    }
  }
  if (refused || badTemplatesFolder) {
    lines.push(`nothing written to ${opts.out}: fix what is said above and import again`);
    return { exitCode: 1, lines, errors, result: { ...result, exitCode: 1 }, written };
  }
  for (const { j, rel, text } of journeys) {
    const outcome = write(rel, text, 'journey');
    lines.push(
      `${join(opts.out, rel)}: ${outcome} (from ${j.report.source.file}${j.report.source.base ? `:${j.report.source.base}` : ''})`,
    );
    for (const s of j.steps)
      lines.push(
        `  step ${s.step} <- activity ${s.activity} (${s.type ?? 'no type'})${s.description ? ` ${JSON.stringify(s.description)}` : ''}`,
      );
  }
  for (const f of result.files) {
    const kind = f.text.includes(`${UNPORTED_ROOT}.template`) ? 'stub' : 'template';
    lines.push(
      `${join(opts.out, f.path)}: ${write(f.path, f.text, 'template')}${kind === 'stub' ? ' (a stub to port)' : ''}`,
    );
  }
  const ordered = [
    ...result.report.filter((i) => i.level === 'todo'),
    ...result.report.filter((i) => i.level === 'note'),
  ];
  for (const item of ordered) lines.push(`${item.level} ${item.file}:${item.pointer || '/'}: ${item.message}`);
  const todos = result.report.filter((i) => i.level === 'todo').length;
  const notes = result.report.length - todos;
  lines.push(
    `${result.journeys.length} journey${result.journeys.length === 1 ? '' : 's'} imported; ${todos} to finish by hand, ${notes} note${notes === 1 ? '' : 's'}${result.unreadable.length ? `; ${result.unreadable.length} problem${result.unreadable.length === 1 ? '' : 's'} in unreadable input` : ''}`,
  );
  const exitCode = result.unreadable.length || refused ? 1 : result.exitCode;
  return { exitCode, lines, errors, result: { ...result, exitCode }, written };
}

function readJson(file: string): { doc: unknown } | { problem: string } {
  let text: string;
  try {
    text = withoutBom(readFileSync(file, 'utf8'));
  } catch (err) {
    return { problem: `cannot read the file: ${(err as Error).message}` };
  }
  try {
    return { doc: JSON.parse(text) };
  } catch {
    const offset = jsonErrorOffset(text);
    if (offset === undefined) return { problem: 'not valid JSON' };
    const { line, column } = lineAndColumn(text, offset);
    return { problem: `not valid JSON at line ${line}, column ${column}` };
  }
}
