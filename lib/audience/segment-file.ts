/**
 * A segment file (SPEC §6): beside the journey file, one customer id a line, or one JSON object
 * with `customerId` a line (JSONL as exported by most tools). Blank lines are skipped; a customer
 * listed twice is one member, at their first line.
 */
import { idProblem } from '../core/id-rule';
import { show } from '../journey/schema';

export interface SegmentFileRead {
  /** The members, in file order, each once. */
  ids: string[];
  /** Lines that hold no customer id, 1-based. */
  problems: { line: number; message: string }[];
}

/** Whether a segment file's path stays beside the journey file: relative, and never climbing out with `..`. */
export function isBesideJourney(file: string): boolean {
  if (file.startsWith('/') || file.startsWith('\\') || /^[A-Za-z]:/.test(file)) return false;
  return !file.split(/[\\/]/).some((part) => part === '..' || part === '');
}

/** The customer ids of a segment file's text. */
export function parseSegmentFile(text: string): SegmentFileRead {
  const ids: string[] = [];
  const seen = new Set<string>();
  const problems: SegmentFileRead['problems'] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    const id = idOfLine(line);
    const problem = typeof id === 'object' ? id.problem : idProblem('a customer id', id);
    if (problem !== undefined) {
      problems.push({ line: i + 1, message: problem });
      continue;
    }
    if (seen.has(id as string)) continue;
    seen.add(id as string);
    ids.push(id as string);
  }
  return { ids, problems };
}

function idOfLine(line: string): string | { problem: string } {
  if (!line.startsWith('{') && !line.startsWith('"')) return line;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { problem: `not JSON, nor a customer id: ${show(line)}` };
  }
  if (typeof value === 'string') return value;
  const id = (value as { customerId?: unknown } | null)?.customerId;
  if (typeof id === 'string') return id;
  return { problem: `a JSON line needs a customerId string, found ${show(value)}` };
}
