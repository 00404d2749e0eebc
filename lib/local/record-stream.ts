/**
 * JSONL input files read a line at a time: validated in a first pass that keeps only the problems
 * (by line, naming the field), then streamed. A JSON array file is read whole, as before: it has
 * to be parsed as one document anyway.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { Profile } from '../core/profile';
import { bomBytes } from '../journey/json-error';
import { type FileLine, fileLines } from './file-lines';
import { type InputProblem, parseLine, profileRecord, type RecordParser, readProfiles } from './inputs';

/** The most problems kept of one file: the rest are counted. */
export const MAX_PROBLEMS = 1000;

/** A file's problems: the first MAX_PROBLEMS, and how many more there were. */
export class ProblemList {
  readonly items: InputProblem[] = [];
  more = 0;

  add(problems: InputProblem[]): void {
    for (const p of problems) {
      if (this.items.length < MAX_PROBLEMS) this.items.push(p);
      else this.more++;
    }
  }

  get count(): number {
    return this.items.length + this.more;
  }
}

/** Whether a file holds a JSON array (its first character that is not white space is `[`). */
export function isJsonArrayFile(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(4096);
    for (let offset = 0; ; ) {
      const n = readSync(fd, buf, 0, buf.length, offset);
      if (n === 0) return false;
      // Past a byte-order mark, if the file starts with one.
      const skip = offset === 0 ? bomBytes(buf) : 0;
      const found = buf.subarray(skip, n).toString('latin1').search(/\S/);
      const first = found === -1 ? -1 : found + skip;
      if (first !== -1) return buf[first] === 0x5b;
      offset += n;
    }
  } catch (err) {
    // A read (of a directory: EISDIR) names no file; say which.
    (err as NodeJS.ErrnoException).path ??= file;
    throw err;
  } finally {
    closeSync(fd);
  }
}

/** One valid record of a JSONL file and the line it came from. */
export interface LineRecord<T> {
  value: T;
  line: FileLine;
}

/**
 * Every record of a JSONL file through `parse`, in file order and in batches (see fileLines);
 * blank lines are skipped, and a line that fails goes to `onProblems` instead.
 */
export async function* jsonlRecords<T>(
  file: string,
  parse: RecordParser<T>,
  opts: { onProblems: (problems: InputProblem[]) => void; onRead?: (bytesRead: number) => void },
): AsyncGenerator<LineRecord<T>[]> {
  for await (const lines of fileLines(file, { onRead: opts.onRead })) {
    const batch: LineRecord<T>[] = [];
    for (const line of lines) {
      if (!line.text.trim()) continue;
      const r = parseLine(file, line.number, line.text, parse);
      if ('value' in r) batch.push({ value: r.value, line });
      else opts.onProblems(r.problems);
    }
    yield batch;
  }
}

/** A line that was valid when the file was checked no longer is: the file changed under the run. */
export class InputChangedError extends Error {
  override readonly name = 'InputChangedError';
  constructor(problems: InputProblem[]) {
    const p = problems[0];
    super(
      `${p.file}:${p.line}: ${p.message} (the file changed after it was checked; run again on a file that is not being written)`,
    );
  }
}

/** The problems of a profiles file (JSON array or JSONL), read a line at a time when it is JSONL. */
export async function checkProfileFile(file: string): Promise<ProblemList> {
  const problems = new ProblemList();
  if (isJsonArrayFile(file)) {
    problems.add(readProfiles(file).problems);
    return problems;
  }
  for await (const _batch of jsonlRecords(file, profileRecord, { onProblems: (p) => problems.add(p) })) {
    // Only the problems matter here.
  }
  return problems;
}

/** The profiles of a file checked by checkProfileFile, streamed when it is JSONL. */
export async function* profileStream(file: string): AsyncGenerator<Profile> {
  if (isJsonArrayFile(file)) {
    yield* readProfiles(file).profiles;
    return;
  }
  const onProblems = (p: InputProblem[]) => {
    throw new InputChangedError(p);
  };
  for await (const batch of jsonlRecords(file, profileRecord, { onProblems })) for (const r of batch) yield r.value;
}
