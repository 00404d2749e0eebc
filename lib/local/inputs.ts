/** Reading events (JSONL) and profiles (JSON array or JSONL) files, with every problem by line. */
import { readFileSync } from 'node:fs';
import { type Envelope, type FieldError, parseEnvelope } from '../core/envelope';
import { type Profile, parseProfile } from '../core/profile';
import { arrayElementOffsets, jsonErrorDetail, linesAt, whereNotJson, withoutBom } from '../journey/json-error';

export interface InputProblem {
  file: string;
  line: number;
  message: string;
}

/** A record's parser: the value, or every field that is wrong. */
export type RecordParser<T> = (value: unknown) => { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** An event of a file replayed in virtual time: each at its own time, so none is ahead of the clock (SPEC §1). */
export const replayedEvent: RecordParser<Envelope> = (v) => {
  const r = parseEnvelope(v, 'replay');
  return r.ok ? { ok: true, value: r.event } : r;
};

/** A customer profile. */
export const profileRecord: RecordParser<Profile> = (v) => {
  const r = parseProfile(v);
  return r.ok ? { ok: true, value: r.profile } : r;
};

/** One line of a JSONL file through `parse`: its value, or its problems (one per field). */
export function parseLine<T>(
  file: string,
  line: number,
  text: string,
  parse: RecordParser<T>,
): { value: T } | { problems: InputProblem[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // Without the text JSON.parse quotes from the line: a profile's line holds personal data.
    return { problems: [{ file, line, message: `not valid JSON: ${jsonErrorDetail((err as Error).message)}` }] };
  }
  return parseValue(file, line, json, parse);
}

function parseValue<T>(
  file: string,
  line: number,
  json: unknown,
  parse: RecordParser<T>,
): { value: T } | { problems: InputProblem[] } {
  const parsed = parse(json);
  if (parsed.ok) return { value: parsed.value };
  return { problems: parsed.errors.map((e) => ({ file, line, message: `${e.path || '/'}: ${e.message}` })) };
}

/** Every record of a file validated by `parse`, read whole; problems by line, naming the field. */
function readValidated<T>(file: string, parse: RecordParser<T>): { values: T[]; problems: InputProblem[] } {
  const values: T[] = [];
  const problems: InputProblem[] = [];
  const add = (r: { value: T } | { problems: InputProblem[] }) => {
    if ('value' in r) values.push(r.value);
    else problems.push(...r.problems);
  };
  const text = withoutBom(readFileSync(file, 'utf8'));
  if (text.trimStart().startsWith('[')) {
    let records: unknown[];
    try {
      records = JSON.parse(text) as unknown[];
    } catch (err) {
      // Where it stops being JSON, by line and column, without the text JSON.parse would quote.
      const { line = 1, message } = whereNotJson(text, err as Error);
      return { values, problems: [{ file, line, message }] };
    }
    // Each element's problems under the line it starts on (a pretty-printed file has many a record).
    const lines = linesAt(text, arrayElementOffsets(text));
    records.forEach((value, i) => {
      add(parseValue(file, lines[i] ?? i + 1, value, parse));
    });
    return { values, problems };
  }
  text.split('\n').forEach((raw, i) => {
    if (raw.trim()) add(parseLine(file, i + 1, raw, parse));
  });
  return { values, problems };
}

/** Events of a JSONL file, in file order. */
export function readEvents(file: string): { events: Envelope[]; problems: InputProblem[] } {
  const { values, problems } = readValidated(file, replayedEvent);
  return { events: values, problems };
}

/** Profiles of a JSON array or JSONL file. */
export function readProfiles(file: string): { profiles: Profile[]; problems: InputProblem[] } {
  const { values, problems } = readValidated(file, profileRecord);
  return { profiles: values, problems };
}
