/**
 * The events file of `baton simulate`, streamed: every problem by line before anything runs, the
 * events in time order whatever the file's order, and a file that changes under a run refused.
 */
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Envelope } from '../../lib/core/envelope';
import { checkEventFile, inTimeOrder, replayEvents } from '../../lib/local/event-file';
import { readEvents } from '../../lib/local/inputs';
import { MAX_PROBLEMS } from '../../lib/local/record-stream';

function fileOf(lines: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'baton-events-')), 'events.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const event = (i: number, time: string, extra: Partial<Envelope> = {}) =>
  JSON.stringify({ id: `e-${i}`, type: 'page.viewed', customerId: `c-${i % 7}`, channel: 'web', time, ...extra });

const minute = (m: number) => new Date(Date.UTC(2026, 10, 20, 10, m)).toISOString();

async function replayed(file: string): Promise<Envelope[]> {
  const checked = await checkEventFile(file);
  const out: Envelope[] = [];
  for await (const e of replayEvents(checked)) out.push(e);
  return out;
}

test('a bad line in the middle of a file is reported by line and field, with every other problem, and nothing is replayed', async () => {
  const lines = Array.from({ length: 2000 }, (_, i) => event(i, minute(i % 60)));
  lines[1200] = event(1200, 'yesterday');
  lines[1500] = '{"id": ';
  const checked = await checkEventFile(fileOf(lines));
  expect(checked.problems.items.map((p) => [p.line, p.message])).toEqual([
    [1201, expect.stringMatching(/^\/time: time must be RFC 3339/)],
    [1501, expect.stringMatching(/^not valid JSON/)],
  ]);
  expect(checked.count).toBe(1998);
  await expect(replayEvents(checked).next()).rejects.toThrow('has problems');
});

test('a file out of time order is replayed in time order, ties in file order: what a sort of the whole file gives', async () => {
  // Times go back and forth; several events share each minute.
  const lines = Array.from({ length: 500 }, (_, i) => event(i, minute((i * 37) % 45)));
  const file = fileOf(lines);
  const checked = await checkEventFile(file);
  expect(checked).toMatchObject({ inOrder: false, count: 500, first: Date.parse(minute(0)) });
  expect(await replayed(file)).toEqual(inTimeOrder(readEvents(file).events));
});

test('a file in time order is streamed as it is', async () => {
  const lines = Array.from({ length: 500 }, (_, i) => event(i, minute(Math.floor(i / 10))));
  const file = fileOf(lines);
  expect(await checkEventFile(file)).toMatchObject({ inOrder: true, count: 500 });
  expect(await replayed(file)).toEqual(readEvents(file).events);
});

test('a line that goes bad after the check stops the run, naming the line', async () => {
  const lines = Array.from({ length: 100 }, (_, i) => event(i, minute(i % 50)));
  const file = fileOf(lines);
  const checked = await checkEventFile(file);
  appendFileSync(file, 'not json\n');
  const run = async () => {
    for await (const _ of replayEvents(checked)) {
      // draining
    }
  };
  await expect(run()).rejects.toMatchObject({
    name: 'InputChangedError',
    message: expect.stringContaining(':101: not valid JSON'),
  });
});

test(`keeps the first ${MAX_PROBLEMS} problems of a file and counts the rest`, async () => {
  const lines = Array.from({ length: MAX_PROBLEMS + 250 }, () => '{}');
  const checked = await checkEventFile(fileOf(lines));
  expect(checked.problems.items).toHaveLength(MAX_PROBLEMS);
  // An empty object lacks five required fields: a problem for each.
  expect(checked.problems.count).toBe((MAX_PROBLEMS + 250) * 5);
});
