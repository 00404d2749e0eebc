/** Reading events (JSONL) and profiles (JSON array or JSONL) files, with every problem by line. */
import { readFileSync } from 'node:fs';
import { type Envelope, parseEnvelope } from '../core/envelope';
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

/** Events of a JSONL file, in file order. */
export function readEvents(file: string): { events: Envelope[]; problems: InputProblem[] } {
  const events: Envelope[] = [];
  const problems: InputProblem[] = [];
  for (const r of jsonRecords(file)) {
    if (r.error) {
      problems.push({ file, line: r.line, message: r.error });
      continue;
    }
    const parsed = parseEnvelope(r.value);
    if (parsed.ok) events.push(parsed.event);
    else
      for (const e of parsed.errors) problems.push({ file, line: r.line, message: `${e.path || '/'}: ${e.message}` });
  }
  return { events, problems };
}

/** Profiles of a JSON array or JSONL file. */
export function readProfiles(file: string): { profiles: Profile[]; problems: InputProblem[] } {
  const profiles: Profile[] = [];
  const problems: InputProblem[] = [];
  for (const r of jsonRecords(file)) {
    if (r.error) {
      problems.push({ file, line: r.line, message: r.error });
      continue;
    }
    const parsed = parseProfile(r.value);
    if (parsed.ok) profiles.push(parsed.profile);
    else
      for (const e of parsed.errors) problems.push({ file, line: r.line, message: `${e.path || '/'}: ${e.message}` });
  }
  return { profiles, problems };
}
