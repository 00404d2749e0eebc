/**
 * Reading objects a record at a time from byte offsets: records across the reader's 256 KiB
 * chunks, quoted CSV fields (RFC 4180) with delimiters, doubled quotes, line breaks and
 * multi-byte characters, and a second reader resuming at the offset the first one stopped at.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ByteReader, UnterminatedQuote } from '../../lib/engine/object-bytes';

function file(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'baton-bytes-')), 'object');
  writeFileSync(path, content);
  return path;
}

/** Records whose fields need quoting in every way CSV allows, long enough to cross chunks. */
function records(n: number): string[][] {
  const cells = ['plain', 'a,b', 'say "hi"', 'two\nlines', 'crlf\r\nin', 'ünïcødé ✓', '', '"', 'x'.repeat(300)];
  return Array.from({ length: n }, (_, i) => [`${i}`, cells[i % cells.length], cells[(i * 7) % cells.length]]);
}

const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);

describe('ByteReader', () => {
  it('reads CSV records across chunk boundaries exactly as written, and resumes at an offset', () => {
    const rows = records(6_000);
    const path = file(rows.map((r) => r.map(quote).join(',')).join('\r\n'));
    const reader = new ByteReader(path, 0);
    const read: string[][] = [];
    let middle = 0;
    for (let r = reader.nextCsvRecord(44); r; r = reader.nextCsvRecord(44)) {
      read.push(r);
      if (read.length === 3_000) middle = reader.offset;
    }
    reader.close();
    expect(read).toEqual(rows);
    const resumed = new ByteReader(path, middle);
    expect(resumed.nextCsvRecord(44)).toEqual(rows[3_000]);
    resumed.close();
  });

  it('reads lines across chunk boundaries, without their LF or CRLF, the last one without a break', () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `{"n":${i},"s":"${'é'.repeat(i % 40)}"}`);
    const path = file(`${lines.join('\n')}\r\nlast`);
    const reader = new ByteReader(path, 0);
    const read: string[] = [];
    for (let l = reader.nextLine(); l !== undefined; l = reader.nextLine()) read.push(l);
    reader.close();
    expect(read).toEqual([...lines, 'last']);
  });

  it('refuses a quoted field that never closes', () => {
    const reader = new ByteReader(file('a,"b\nc\n'), 0);
    expect(() => reader.nextCsvRecord(44)).toThrow(UnterminatedQuote);
    reader.close();
  });
});
