/**
 * A Distributed Map's ItemReader, served from a directory instead of S3: Bucket b, Key k is the
 * file `<objectsDir>/b/k`. `s3:getObject` reads one object as JSON (an array), JSONL (a JSON value
 * a line) or CSV (a record a line, the header row or given headers naming the fields, every value
 * a string); `s3:listObjectsV2` lists the objects under a prefix, in key order, as S3 describes
 * them. A failure is States.ItemReaderFailed, as on AWS
 * (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html).
 *
 * Items are read a few at a time from a cursor that the Map's checkpoint keeps: JSONL and CSV by
 * byte offset (a file is never read whole), a JSON array or an object list by index.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { StateError } from './errors';
import { ByteReader, UnterminatedQuote } from './object-bytes';

/** The error AWS gives when the ItemReader cannot read its dataset. */
export const ITEM_READER_FAILED = 'States.ItemReaderFailed';

/** Where a Map's items come from, as evaluated when the Map state started. */
export type ItemSource =
  | { kind: 'items'; items: unknown[] }
  | {
      kind: 'object';
      bucket: string;
      key: string;
      format: 'JSON' | 'JSONL' | 'CSV';
      /** CSV: the field delimiter, and the headers when they are given rather than read from the first row. */
      csv?: { delimiter: string; headers?: string[] };
    }
  | { kind: 'list'; bucket: string; prefix: string };

/** Where the next item starts: an index, or a byte offset with the line number there (for messages). */
export interface Cursor {
  at: number;
  line: number;
  /** CSV with FIRST_ROW: the headers, read once from the first row. */
  headers?: string[];
}

/** The items of a source from a cursor on. Close it once done. */
export interface ItemStream {
  /** The next item, or undefined after the last one. */
  next(): { value: unknown } | undefined;
  /** Where the next item starts: a later stream opened there continues with it. */
  readonly cursor: Cursor;
  close(): void;
}

/** The cursor of a source's first item. */
export const START: Cursor = { at: 0, line: 1 };

function readerFailed(cause: string, err?: unknown): StateError {
  return new StateError(ITEM_READER_FAILED, cause, err === undefined ? undefined : { cause: err });
}

/** Open a source at a cursor. `objectsDir` serves S3; without it, reading an object fails. */
export function openItems(source: ItemSource, cursor: Cursor, objectsDir: string | undefined): ItemStream {
  switch (source.kind) {
    case 'items':
      return arrayStream(source.items, cursor);
    case 'list': {
      const dir = bucketDir(objectsDir, source.bucket);
      return arrayStream(listKeys(dir, source.prefix), cursor, (key) => describeObject(dir, key as string));
    }
    case 'object': {
      const file = objectFile(objectsDir, source.bucket, source.key);
      const where = `s3://${source.bucket}/${source.key}`;
      switch (source.format) {
        case 'JSON':
          return arrayStream(jsonArray(file, where), cursor);
        case 'JSONL':
          return jsonLines(file, where, cursor);
        case 'CSV':
          return csvRows(file, where, cursor, source.csv ?? { delimiter: ',' });
      }
    }
  }
}

function arrayStream(items: unknown[], cursor: Cursor, describe = (item: unknown) => item): ItemStream {
  let at = cursor.at;
  return {
    next: () => (at < items.length ? { value: describe(items[at++]) } : undefined),
    get cursor() {
      return { at, line: at + 1 };
    },
    close() {},
  };
}

/** The directory serving a bucket; the bucket must exist. */
function bucketDir(objectsDir: string | undefined, bucket: string): string {
  if (!objectsDir) {
    throw readerFailed(
      `The local engine serves S3 reads from a directory, and none was given (EngineOptions.objectsDir): cannot read bucket '${bucket}'.`,
    );
  }
  // A bucket name is one path segment: it cannot reach outside the objects directory.
  if (!bucket || bucket === '.' || bucket === '..' || /[/\\]/.test(bucket)) {
    throw readerFailed(`The bucket name '${bucket}' is not valid: a bucket is one name without '/'.`);
  }
  const dir = join(objectsDir, bucket);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw readerFailed(`The specified bucket does not exist: '${bucket}' (no directory ${dir}).`);
  }
  return dir;
}

/** The file serving an object; it must exist and stay inside its bucket's directory. */
function objectFile(objectsDir: string | undefined, bucket: string, key: string): string {
  const dir = bucketDir(objectsDir, bucket);
  const file = resolve(dir, key);
  if (!key || !file.startsWith(resolve(dir) + sep)) {
    throw readerFailed(`The key '${key}' is not valid: it must name an object inside bucket '${bucket}'.`);
  }
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw readerFailed(`The specified key does not exist: s3://${bucket}/${key} (no file ${file}).`);
  }
  return file;
}

/** The last JSON array read, kept while its file is unchanged: a Map reads it at every wake-up. */
let lastJson: { file: string; mtimeMs: number; size: number; items: unknown[] } | undefined;

function jsonArray(file: string, where: string): unknown[] {
  const { mtimeMs, size } = statSync(file);
  if (lastJson?.file === file && lastJson.mtimeMs === mtimeMs && lastJson.size === size) return lastJson.items;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    // The parser's message quotes the text, which may be personal data: only where it failed is said.
    throw readerFailed(`${where} is not valid JSON (InputType JSON reads one JSON array).`, err);
  }
  // AWS's words for a JSON object that is not an array.
  if (!Array.isArray(parsed)) throw readerFailed('Attempting to map over non-iterable node.');
  lastJson = { file, mtimeMs, size, items: parsed };
  return parsed;
}

function jsonLines(file: string, where: string, cursor: Cursor): ItemStream {
  const reader = new ByteReader(file, cursor.at);
  let line = cursor.line;
  return {
    next() {
      for (;;) {
        const text = reader.nextLine();
        if (text === undefined) return undefined;
        line++;
        if (!text.trim()) continue; // a blank line holds no item
        try {
          return { value: JSON.parse(text) };
        } catch (err) {
          throw readerFailed(
            `Line ${line - 1} of ${where} is not valid JSON (InputType JSONL reads one JSON value a line).`,
            err,
          );
        }
      }
    },
    get cursor() {
      return { at: reader.offset, line };
    },
    close: () => reader.close(),
  };
}

const DELIMITERS: Record<string, number> = { ',': 44, '|': 124, ';': 59, ' ': 32, '\t': 9 };

function csvRows(
  file: string,
  where: string,
  cursor: Cursor,
  csv: { delimiter: string; headers?: string[] },
): ItemStream {
  const reader = new ByteReader(file, cursor.at);
  const delimiter = DELIMITERS[csv.delimiter] ?? 44;
  let line = cursor.line;
  const record = (): string[] | undefined => {
    try {
      for (;;) {
        const fields = reader.nextCsvRecord(delimiter);
        line++;
        // An empty line holds no record.
        if (!fields || fields.length > 1 || fields[0] !== '') return fields;
      }
    } catch (err) {
      if (err instanceof UnterminatedQuote) throw readerFailed(`Record ${line} of ${where}: ${err.message}.`, err);
      throw err;
    }
  };
  let headers = csv.headers ?? cursor.headers;
  try {
    if (!headers) {
      headers = record();
      if (!headers) headers = [];
    }
    // AWS's words.
    if (new Set(headers).size < headers.length) throw readerFailed('CSV headers cannot contain duplicates.');
  } catch (err) {
    reader.close();
    throw err;
  }
  const names = headers;
  return {
    next() {
      const fields = record();
      if (!fields) return undefined;
      // A missing value is an empty string; a value past the last header is dropped, as on AWS.
      return { value: Object.fromEntries(names.map((h, i) => [h, fields[i] ?? ''])) };
    },
    get cursor() {
      return { at: reader.offset, line, ...(csv.headers ? {} : { headers: names }) };
    },
    close: () => reader.close(),
  };
}

/** The keys of a bucket's objects under a prefix, in key (UTF-8 byte) order, as ListObjectsV2 lists them. */
function listKeys(dir: string, prefix: string): string[] {
  const keys: string[] = [];
  const walk = (sub: string) => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const key = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(key);
      else if (entry.isFile() && key.startsWith(prefix)) keys.push(key);
    }
  };
  walk('');
  return keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** An object as ListObjectsV2 describes it in a Map's items. */
function describeObject(dir: string, key: string): unknown {
  const file = join(dir, key);
  const { size, mtime } = statSync(file);
  // S3's ETag of an object uploaded in one part is the MD5 of its bytes, in quotes.
  const etag = `"${createHash('md5').update(readFileSync(file)).digest('hex')}"`;
  return { Etag: etag, Key: key, LastModified: mtime.toISOString(), Size: size, StorageClass: 'STANDARD' };
}
