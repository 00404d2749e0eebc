/**
 * The lines of a file, read a chunk at a time (never the whole file at once), each with its line
 * number and byte offset, so that a reader can report a problem by line and come back to a line
 * by position. Lines come in batches, those a chunk completes: a file of a million lines costs a
 * few thousand awaits, not a million.
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { bomBytes } from '../journey/json-error';

/** One line of a file, without its line break. */
export interface FileLine {
  text: string;
  /** 1-based, counting every line (blank ones too). */
  number: number;
  /** Byte offset of the line's start in the file. */
  offset: number;
  /** The line's length in bytes, its line break excluded. */
  bytes: number;
}

/** How much of a file is read at a time. */
export const CHUNK_BYTES = 64 * 1024;

/**
 * The file's lines in order, in batches. `onRead` is told how many bytes have been read so far: at
 * most one chunk beyond the end of the last line handed out.
 */
export async function* fileLines(
  file: string,
  opts: { chunkBytes?: number; onRead?: (bytesRead: number) => void } = {},
): AsyncGenerator<FileLine[]> {
  const stream = createReadStream(file, { highWaterMark: opts.chunkBytes ?? CHUNK_BYTES });
  // The start of a line that continues into the next chunk (several chunks, for a long line).
  let pending: Buffer[] = [];
  let offset = 0;
  let number = 0;
  let read = 0;
  const line = (buf: Buffer, start: number, end: number): FileLine => {
    let body = pending.length ? Buffer.concat([...pending, buf.subarray(start, end)]) : buf.subarray(start, end);
    pending = [];
    // A byte-order mark before the first line (what some Windows editors write) is not part of it.
    const bom = number === 0 ? bomBytes(body) : 0;
    body = body.subarray(bom);
    offset += bom;
    const bytes = body.length;
    if (body[body.length - 1] === 0x0d) body = body.subarray(0, body.length - 1);
    const out = { text: body.toString('utf8'), number: ++number, offset, bytes };
    offset += bytes + 1;
    return out;
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      read += chunk.length;
      opts.onRead?.(read);
      const batch: FileLine[] = [];
      let start = 0;
      for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
        batch.push(line(chunk, start, nl));
        start = nl + 1;
      }
      if (start < chunk.length) pending.push(chunk.subarray(start));
      if (batch.length) yield batch;
    }
    // The last line, when no line break ends the file.
    if (pending.length) yield [line(Buffer.alloc(0), 0, 0)];
  } finally {
    stream.destroy();
  }
}

/** Reads lines back by position (for a file replayed in another order than it was written). */
export class LineReader {
  private readonly fd: number;
  private buf = Buffer.alloc(CHUNK_BYTES);

  constructor(file: string) {
    this.fd = openSync(file, 'r');
  }

  /** The text of the line at `offset`, `bytes` long. */
  read(offset: number, bytes: number): string {
    if (bytes > this.buf.length) this.buf = Buffer.alloc(bytes);
    let got = 0;
    while (got < bytes) {
      const n = readSync(this.fd, this.buf, got, bytes - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    let end = got;
    if (this.buf[end - 1] === 0x0d) end--;
    return this.buf.toString('utf8', 0, end);
  }

  close(): void {
    closeSync(this.fd);
  }
}
