/**
 * Problems of a JSON-array input file are named by the line their record starts on (a
 * pretty-printed file holds a record over many lines), and a syntax error by its line and column.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arrayElementOffsets } from '../../lib/journey/json-error';
import { readEvents, readProfiles } from '../../lib/local/inputs';

const fileOf = (text: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'baton-inputs-')), 'f.json');
  writeFileSync(file, text);
  return file;
};

test('a record of a pretty-printed array is named by the line it starts on', () => {
  const file = fileOf(
    '[\n  {\n    "customerId": "c-a"\n  },\n  {\n    "customerId": "c-b",\n    "timezone": "Mars/Olympus"\n  },\n  { "customerId": "c-c", "locale": 5 }\n]\n',
  );
  expect(readProfiles(file).problems.map((p) => [p.line, p.message.split(':')[0]])).toEqual([
    [5, '/timezone'],
    [9, '/locale'],
  ]);
  const events = fileOf('[{"id":"e-1","type":"x.happened","customerId":"c-1","channel":"web","time":"soon"}]');
  expect(readEvents(events).problems.map((p) => p.line)).toEqual([1]);
});

test('a syntax error is named by its line and column, without the text around it', () => {
  const file = fileOf('[\n  {"customerId": "c-a"},\n  {"customerId": "c-b", "email": "b@example.com",}\n]\n');
  expect(readProfiles(file).problems).toEqual([
    { file, line: 3, message: expect.stringMatching(/^not valid JSON at line 3, column 50: /) },
  ]);
  expect(readProfiles(file).problems[0].message).not.toContain('example.com');
});

test('element offsets skip strings holding brackets, commas and escaped quotes', () => {
  const text = '[ "a,]\\"[", {"b": [1, {"c": ","}]}, 3 ]';
  expect(arrayElementOffsets(text).map((o) => text[o])).toEqual(['"', '{', '3']);
  expect(arrayElementOffsets('[]')).toEqual([]);
});
