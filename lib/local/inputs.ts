/** Reading events (JSONL) and profiles (JSON array or JSONL) files, with every problem by line. */
import { readFileSync } from 'node:fs';
import { type Envelope, type FieldError, parseEnvelope } from '../core/envelope';
import { type Profile, parseProfile } from '../core/profile';

export interface InputProblem {
  file: string;
  line: number;
  message: string;
}

function jsonRecords(file: string): { line: number; value?: unknown; error?: string }[] {
  const text = readFileSync(file, 'utf8');
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    try {
      return (JSON.parse(text) as unknown[]).map((value, i) => ({ line: i + 1, value }));
    } catch (err) {
      return [{ line: 1, error: `not valid JSON: ${(err as Error).message}` }];
    }
  }
  const out: { line: number; value?: unknown; error?: string }[] = [];
  text.split('\n').forEach((raw, i) => {
    if (!raw.trim()) return;
    try {
      out.push({ line: i + 1, value: JSON.parse(raw) });
    } catch (err) {
      out.push({ line: i + 1, error: `not valid JSON: ${(err as Error).message}` });
    }
  });
  return out;
}

/** Every record of a file validated by `parse`; problems by line, naming the field. */
function readValidated<T>(
  file: string,
  parse: (value: unknown) => { ok: true; value: T } | { ok: false; errors: FieldError[] },
): { values: T[]; problems: InputProblem[] } {
  const values: T[] = [];
  const problems: InputProblem[] = [];
  for (const r of jsonRecords(file)) {
    if (r.error) {
      problems.push({ file, line: r.line, message: r.error });
      continue;
    }
    const parsed = parse(r.value);
    if (parsed.ok) values.push(parsed.value);
    else
      for (const e of parsed.errors) problems.push({ file, line: r.line, message: `${e.path || '/'}: ${e.message}` });
  }
  return { values, problems };
}

/** Events of a JSONL file, in file order. */
export function readEvents(file: string): { events: Envelope[]; problems: InputProblem[] } {
  const { values, problems } = readValidated(file, (v) => {
    // Replayed in virtual time, each at its own time: no event is ahead of the clock (SPEC §1).
    const r = parseEnvelope(v, 'replay');
    return r.ok ? { ok: true, value: r.event } : r;
  });
  return { events: values, problems };
}

/** Profiles of a JSON array or JSONL file. */
export function readProfiles(file: string): { profiles: Profile[]; problems: InputProblem[] } {
  const { values, problems } = readValidated(file, (v) => {
    const r = parseProfile(v);
    return r.ok ? { ok: true, value: r.profile } : r;
  });
  return { profiles: values, problems };
}
