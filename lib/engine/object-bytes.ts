/**
 * Reading an S3 object served from a local file a record at a time, from any byte offset: a
 * Distributed Map reads a million-line member file batch by batch and resumes after a restart
 * where its checkpoint says, so neither the file nor its items are ever held whole in memory.
 * Reads are synchronous and chunked; the file is open only between `open` and `close`.
 */
import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK = 256 * 1024;
const LF = 10;
const CR = 13;
const QUOTE = 34;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** A CSV record whose quoted field never ends. */
export class UnterminatedQuote extends Error {
  override readonly name = 'Baton.UnterminatedQuote';
}

/** A file read forward from an offset, a line or a CSV record at a time. */
export class ByteReader {
  private readonly fd: number;
  private buf = Buffer.alloc(0);
  /** The file offset of buf[0]. */
  private start: number;
  /** The next unread byte in buf. */
  private i = 0;
  private eof = false;

  constructor(path: string, offset: number) {
    this.fd = openSync(path, 'r');
    this.start = offset;
    // A byte order mark opening the object is no part of its first record.
    if (offset === 0 && this.more() && this.buf.subarray(0, 3).equals(BOM)) this.i = 3;
  }

  /** The file offset of the next unread byte: where a later reader resumes. */
  get offset(): number {
    return this.start + this.i;
  }

  close(): void {
    closeSync(this.fd);
  }

  /** The next line without its line break (LF or CRLF), or undefined at the end of the file. */
  nextLine(): string | undefined {
    for (;;) {
      const nl = this.buf.indexOf(LF, this.i);
      if (nl >= 0) return this.take(nl, nl + 1);
      if (!this.more()) return this.i < this.buf.length ? this.take(this.buf.length, this.buf.length) : undefined;
    }
  }

  /**
   * The next CSV record (RFC 4180: fields in double quotes may hold delimiters, line breaks and
   * doubled quotes), or undefined at the end of the file.
   */
  nextCsvRecord(delimiter: number): string[] | undefined {
    for (;;) {
      const r = parseRecord(this.buf, this.i, delimiter, this.eof);
      if (r === 'more') {
        this.more();
        continue;
      }
      if (r === undefined) return undefined;
      this.i = r.end;
      return r.fields;
    }
  }

  private take(end: number, next: number): string {
    const last = end > this.i && this.buf[end - 1] === CR ? end - 1 : end;
    const text = this.buf.toString('utf8', this.i, last);
    this.i = next;
    return text;
  }

  /** Read the next chunk after what is buffered, dropping what was consumed; false at the end of the file. */
  private more(): boolean {
    if (this.eof) return false;
    const chunk = Buffer.allocUnsafe(CHUNK);
    const n = readSync(this.fd, chunk, 0, CHUNK, this.start + this.buf.length);
    if (n === 0) {
      this.eof = true;
      return false;
    }
    this.buf = Buffer.concat([this.buf.subarray(this.i), chunk.subarray(0, n)]);
    this.start += this.i;
    this.i = 0;
    return true;
  }
}

/**
 * One CSV record from `start`: its fields and the index after it, 'more' when the buffer ends
 * inside it (and more of the file may follow), undefined when nothing is left. Delimiters, quotes
 * and line breaks are ASCII, so byte positions never split a UTF-8 character.
 */
function parseRecord(
  buf: Buffer,
  start: number,
  delimiter: number,
  eof: boolean,
): { fields: string[]; end: number } | 'more' | undefined {
  if (start >= buf.length) return eof ? undefined : 'more';
  const fields: string[] = [];
  let field = '';
  let segment = start;
  let fieldStart = start;
  let quoted = false;
  for (let p = start; ; p++) {
    if (p >= buf.length) {
      if (!eof) return 'more';
      if (quoted) throw new UnterminatedQuote('a quoted field is not closed before the end of the object');
      fields.push(field + buf.toString('utf8', segment, p));
      return { fields, end: p };
    }
    const b = buf[p];
    if (quoted) {
      if (b !== QUOTE) continue;
      if (p + 1 >= buf.length && !eof) return 'more';
      if (buf[p + 1] === QUOTE) {
        field += buf.toString('utf8', segment, p + 1); // a doubled quote is one quote
        p++;
      } else {
        field += buf.toString('utf8', segment, p);
        quoted = false;
      }
      segment = p + 1;
    } else if (b === QUOTE && p === fieldStart) {
      quoted = true;
      segment = p + 1;
    } else if (b === delimiter) {
      fields.push(field + buf.toString('utf8', segment, p));
      field = '';
      segment = fieldStart = p + 1;
    } else if (b === LF) {
      const end = p > segment && buf[p - 1] === CR ? p - 1 : p;
      fields.push(field + buf.toString('utf8', segment, end));
      return { fields, end: p + 1 };
    }
  }
}
