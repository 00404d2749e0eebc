/** Files read a line at a time: never more than a chunk ahead of the line handed out, and lines found again by position. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileLines, LineReader } from '../../lib/local/file-lines';

function fileOf(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'baton-lines-')), 'f.jsonl');
  writeFileSync(file, text);
  return file;
}

test('reads a file many times its chunk a chunk at a time: never more than one chunk past the line handed out', async () => {
  const chunkBytes = 1024;
  const lines = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(i % 50) }));
  const text = `${lines.join('\n')}\n`;
  const file = fileOf(text);
  let read = 0;
  let most = 0;
  const seen: string[] = [];
  for await (const batch of fileLines(file, { chunkBytes, onRead: (n) => (read = n) })) {
    for (const line of batch) seen.push(line.text);
    // What is held beyond the lines just handed out: at most the rest of the chunk they ended in.
    const last = batch[batch.length - 1];
    most = Math.max(most, read - (last.offset + last.bytes));
  }
  expect(Buffer.byteLength(text)).toBeGreaterThan(100 * chunkBytes);
  expect(most).toBeLessThanOrEqual(chunkBytes);
  expect(seen).toEqual(lines);
});

test('numbers every line, keeps byte offsets of multi-byte text, drops CR of CRLF, keeps a last line without a break and one longer than a chunk', async () => {
  const long = 'é'.repeat(3000);
  const file = fileOf(`a\r\n\nçà\n${long}\nlast`);
  const got = [];
  for await (const batch of fileLines(file, { chunkBytes: 1024 })) got.push(...batch);
  expect(got.map((l) => [l.number, l.text])).toEqual([
    [1, 'a'],
    [2, ''],
    [3, 'çà'],
    [4, long],
    [5, 'last'],
  ]);
  expect(got.map((l) => [l.offset, l.bytes])).toEqual([
    [0, 2],
    [3, 0],
    [4, 4],
    [9, 6000],
    [6010, 4],
  ]);
  const reader = new LineReader(file);
  try {
    expect(got.map((l) => reader.read(l.offset, l.bytes))).toEqual(['a', '', 'çà', long, 'last']);
  } finally {
    reader.close();
  }
});

test('leaves out a byte-order mark before the first line, in the text and in the position the line is read back from', async () => {
  const file = fileOf('\ufeff{"a":1}\n{"b":2}\n');
  const got = [];
  for await (const batch of fileLines(file)) got.push(...batch);
  expect(got.map((l) => l.text)).toEqual(['{"a":1}', '{"b":2}']);
  const reader = new LineReader(file);
  try {
    expect(got.map((l) => reader.read(l.offset, l.bytes))).toEqual(['{"a":1}', '{"b":2}']);
  } finally {
    reader.close();
  }
});
